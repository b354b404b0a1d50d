/**
 * @file The library service's interface, as the API handlers, the CLI and the headless host use it.
 * Implemented by `createLibrary` in ./library.ts.
 */
import type {
  Bbox,
  FolderDto,
  JobFailure,
  JobsStatus,
  PhotoDetail,
  PhotoLayout,
  PhotoPage,
  PhotoView,
  TimelineGroup,
} from '../../preload/contract';
import type { PreviewResult } from './previews';

export interface LibraryService {
  /** Reconciles what changed while closed, starts watchers and the job runner. Resolves once the startup scan is queued (not finished). */
  start(): Promise<void>;
  /** Stops watchers and the job runner, letting running jobs finish or be re-queued. */
  close(): Promise<void>;

  listFolders(): FolderDto[];
  /** Adds a folder (must exist, be a readable directory, and not overlap an existing root) and starts scanning it. */
  addFolder(path: string): Promise<FolderDto>;
  /** Forgets a folder and its files (never touches the files themselves). */
  removeFolder(folderId: number): Promise<boolean>;
  /** Rescans one folder or all; returns how many files were queued. */
  rescan(folderId?: number): Promise<number>;
  /** Resolves once every queued job is done or failed (tests, CLI `add-folder --wait`). */
  whenIdle(): Promise<void>;

  /** A grid page; with `bbox`, of the photos taken inside that map area only. */
  page(args: {
    offset: number;
    limit: number;
    folderId?: number | undefined;
    bbox?: Bbox | undefined;
    /** Which photos ([Note: Views and selections] in preload/contract/collections.ts); 'all' by default. */
    view?: PhotoView | undefined;
  }): PhotoPage;
  timeline(folderId?: number, bbox?: Bbox, view?: PhotoView): TimelineGroup[];
  /** Days and aspect ratios of the same photos as `page` ([Note: Grid layout data] in preload/contract/layout.ts). */
  layout(folderId?: number, bbox?: Bbox, view?: PhotoView): Promise<PhotoLayout>;
  getPhoto(id: number): PhotoDetail | null;

  jobsStatus(): JobsStatus;
  pause(): JobsStatus;
  resume(): JobsStatus;
  retryFailed(step?: string): number;
  failures(offset: number, limit: number): { items: JobFailure[]; total: number };

  /** Absolute path of a cached thumbnail/preview by key, or null for an unknown/malformed key. */
  cachePath(key: string): string | null;
  /**
   * The cached file of a preview key (`PhotoDetail.preview`), made first if it is not there yet: see
   * [Note: Previews on demand] in steps.ts. Never throws; a failure says why with an HTTP-like status.
   */
  ensurePreview(key: string): Promise<PreviewResult>;
  /** Folder root by id (for the media path guard). */
  folderRoot(folderId: number): string | null;
  /** Whether `relPath` ('/'-separated) is an indexed file of the folder with status 'ok' (for the media path guard). */
  isIndexed(folderId: number, relPath: string): boolean;
}
