/**
 * @file What the API reads from the library: folder DTOs, grid pages, the timeline, photo details, job
 * status and failures. Pure mapping from repository rows to the contract's DTOs.
 *
 * Runs in main. Every method is one or two indexed queries (see [Note: Paging at 100k] in photos.repo.ts).
 */
import type {
  FolderDto,
  JobFailure,
  JobsStatus,
  PhotoDetail,
  PhotoPage,
  PhotoSummary,
  PhotoView,
  StepProgress,
  TimelineGroup,
} from '../../preload/contract';
import type { Db } from '../db/open';
import type { FilesRepo } from '../db/files.repo';
import type { FolderRow, FoldersRepo } from '../db/folders.repo';
import type { JobsRepo } from '../db/jobs.repo';
import type { PageRow, PhotosRepo } from '../db/photos.repo';
import { createCollectionsRepo, unpackMarks } from '../db/collections.repo';
import { createViewsRepo } from '../db/collections-views.repo';
import { createPlacesRepo } from '../db/places.repo';
import type { JobRunner } from './jobs';
import type { ProgressTracker } from './progress';
import { previewKey } from './thumbnails';

export interface ReadSideDeps {
  db: Db;
  photos: PhotosRepo;
  files: FilesRepo;
  jobs: JobsRepo;
  folders: FoldersRepo;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The one mapper from a photo to its grid cell: grid pages, photo details and (later) search results
 * all go through it, so a cell looks the same wherever it comes from.
 */
export function toPhotoSummary(r: PageRow): PhotoSummary {
  const name = r.rel_path ? r.rel_path.slice(r.rel_path.lastIndexOf('/') + 1) : `photo ${r.id}`;
  return {
    id: r.id,
    kind: r.kind,
    thumb: r.thumb,
    width: r.width,
    height: r.height,
    takenAt: r.sort_key,
    day: r.sort_key.slice(0, 10),
    name,
    status: r.error !== null || r.file_state === 1 ? 'error' : r.file_state === 2 ? 'missing' : 'ok',
    ...(r.placeholder ? { placeholder: r.placeholder.toString('base64') } : {}),
    ...summaryMarks(r),
  };
}

/** A grid cell's marks: only those that are set, to keep pages small. */
function summaryMarks(r: PageRow): Pick<PhotoSummary, 'favourite' | 'rating' | 'hidden' | 'rotation'> {
  if (r.marks === undefined && r.xmp_rating === undefined) return {};
  const m = unpackMarks(r.marks, r.xmp_rating);
  return {
    ...(m.favourite ? { favourite: true } : {}),
    ...(m.rating > 0 ? { rating: m.rating } : {}),
    ...(m.hidden ? { hidden: true } : {}),
    ...(m.rotation ? { rotation: m.rotation } : {}),
  };
}

/** Photo counts per month (newest first, in the grid's order) as timeline groups with each month's first index. */
export function toTimeline(months: readonly { key: string; count: number }[]): TimelineGroup[] {
  let index = 0;
  return months.map((m) => {
    const g = { key: m.key, count: m.count, firstIndex: index };
    index += m.count;
    return g;
  });
}

/** `PageRow.file_state` computed from a photo's file rows, as photos.repo.ts computes it in SQL. */
function fileState(rows: readonly { status: string }[]): number {
  if (rows.some((f) => f.status === 'ok')) return 0;
  return rows.some((f) => f.status === 'error') ? 1 : 2;
}

/** Builds the read side over the repositories. */
export function createReadSide(deps: ReadSideDeps) {
  const { photos, files, jobs, folders } = deps;
  const places = createPlacesRepo(deps.db);
  const views = createViewsRepo(deps.db);
  const collections = createCollectionsRepo(deps.db);

  const folderDto = (f: FolderRow): FolderDto => ({
    id: f.id,
    path: f.path,
    addedAt: iso(f.added_at),
    status: f.status,
    warning: f.warning,
    scanWarnings: f.scan_warnings ? (JSON.parse(f.scan_warnings) as string[]) : [],
    photoCount: f.photo_count,
  });

  return {
    folderDto,
    listFolders: (): FolderDto[] => folders.list().map(folderDto),

    /** Whether a path is an 'ok' file of the folder: one lookup on (folder_id, rel_path), for [Note: Media path guard]. */
    isIndexed: (folderId: number, relPath: string): boolean => files.get(folderId, relPath)?.status === 'ok',

    /** One grid page of a view ('all' by default). `total` lets the caller supply a cached count. */
    page(
      offset: number,
      limit: number,
      folderId?: number,
      total: () => number = () => views.count(view, folderId),
      view?: PhotoView,
    ): PhotoPage {
      return { items: views.page(view, offset, limit, folderId).map(toPhotoSummary), total: total(), offset };
    },

    /** How many photos a view shows. */
    count: (view: PhotoView | undefined, folderId?: number): number => views.count(view, folderId),

    timeline: (folderId?: number, view?: PhotoView): TimelineGroup[] => toTimeline(views.months(view, folderId)),

    photo(id: number): PhotoDetail | null {
      const p = photos.get(id);
      if (!p) return null;
      const fileRows = files.forPhoto(id);
      const best = fileRows.find((f) => f.status === 'ok') ?? fileRows[0];
      const anyOk = fileRows.some((f) => f.status === 'ok');
      let keywords: string[] = [];
      try {
        keywords = p.xmp_keywords ? (JSON.parse(p.xmp_keywords) as string[]) : [];
      } catch {
        keywords = [];
      }
      const place = places.forPhoto(id);
      const detailMarks = () => {
        const row = collections.marks(p.hash);
        const m = unpackMarks(
          row ? row.favourite | (row.hidden << 1) | (row.rotation << 2) | ((row.rating ?? 7) << 4) : null,
          p.xmp_rating,
        );
        return { ...m, removed: row !== null && row.removed_at !== null && !anyOk, albums: collections.albumsOf(p.hash) };
      };
      return {
        ...(place ? { place: { city: place.city, region: place.region, country: place.country, countryCode: place.country_code } } : {}),
        ...toPhotoSummary({ ...p, rel_path: best?.rel_path ?? null, file_state: fileState(fileRows) }),
        hash: p.hash,
        mime: p.mime,
        files: fileRows.map((f) => ({
          folderId: f.folder_id,
          relPath: f.rel_path,
          absPath: `${f.root}/${f.rel_path}`,
          size: f.size,
          mtime: iso(f.mtime_ms),
          status: f.status,
        })),
        // The key it has or will have: the first request for it makes it ([Note: Previews on demand] in steps.ts).
        preview: p.preview ?? (anyOk && p.error === null && p.kind !== 'video' ? previewKey(p.hash) : null),
        takenOffset: p.taken_offset,
        takenAtSource: p.taken_at ? 'exif' : 'file',
        camera: { make: p.camera_make, model: p.camera_model, lens: p.lens },
        exposure: { iso: p.iso, fNumber: p.f_number, exposureTime: p.exposure_time, focalLength: p.focal_length },
        gps: p.gps_lat !== null && p.gps_lon !== null ? { lat: p.gps_lat, lon: p.gps_lon, alt: p.gps_alt } : null,
        xmp: { title: p.xmp_title, description: p.xmp_description, keywords, rating: p.xmp_rating },
        orientation: p.orientation,
        error: p.error ?? (anyOk ? null : (fileRows.find((f) => f.error)?.error ?? null)),
        ...detailMarks(),
      };
    },

    /** The library's statistics, over the photos the grid shows (hidden and trashed ones left out). */
    totals: () => views.totals(),

    status(runner: JobRunner, progress: ProgressTracker, totals = () => views.totals()): JobsStatus {
      const byStep = new Map<string, { pending: number; running: number; done: number; failed: number }>();
      for (const s of runner.steps()) if (s.kinds.length > 0) byStep.set(s.name, { pending: 0, running: 0, done: 0, failed: 0 });
      for (const c of jobs.counts()) {
        let row = byStep.get(c.step);
        if (!row) byStep.set(c.step, (row = { pending: 0, running: 0, done: 0, failed: 0 }));
        if (c.state === 'pending') row.pending += c.n;
        else if (c.state === 'running') row.running += c.n;
        else if (c.state === 'done') row.done += c.n;
        else row.failed += c.n;
      }
      const steps: StepProgress[] = [...byStep.entries()].map(([step, c]) => runner.describe(progress.progress(step, c)));
      return { paused: runner.paused(), blockedReason: runner.blockedReason(), steps, failedFiles: jobs.failedFileCount(), ...totals() };
    },

    failures(offset: number, limit: number): { items: JobFailure[]; total: number } {
      return {
        items: jobs.failures(offset, limit).map((j) => ({
          jobId: j.id,
          photoId: j.photo_id,
          step: j.step,
          state: j.state,
          attempts: j.attempts,
          error: j.last_error ?? 'unknown error',
          path: j.root && j.rel_path ? `${j.root}/${j.rel_path}` : null,
          hidden: j.hidden === 1,
          updatedAt: iso(j.updated_at),
        })),
        total: jobs.failureCount(),
      };
    },
  };
}
