/**
 * @file The one API between the renderer and main: every request (`domain:verb`), every pushed event
 * (`domain:event`), their argument schemas and their DTOs.
 *
 * Runs everywhere: main imports the schemas (runtime values) to validate arguments at the boundary;
 * the renderer and preload import it as types only (`import type`), so zod never ships to the renderer.
 * Main implements every request through an object that `satisfies Handlers` (main/api/handlers.ts);
 * a missing or mistyped handler is a compile error.
 *
 * [Note: One contract, two transports] The same request map travels over Electron IPC (preload bridge,
 * `ipcRenderer.invoke('api', method, args)`) and over the headless host's WebSocket (JSON frames
 * `{id, method, args}` → `{id, ok, result | error}`, events `{event, payload}`). Arguments and results
 * must therefore stay JSON-serialisable: no Dates (ISO strings), no Maps, no class instances.
 */
import { z } from 'zod';
import { chatRequestSchemas, type ChatEvents, type ChatResults } from './contract/chat';
import {
  collectionsRequestSchemas,
  photoViewSchema,
  type CollectionsEvents,
  type CollectionsResults,
  type Rotation,
} from './contract/collections';
import { foldersRequestSchemas, type FoldersResults } from './contract/folders';
import { libraryChatRequestSchemas, type LibraryChatEvents, type LibraryChatResults } from './contract/library-chat';
import { bboxSchema } from './contract/bbox';
import { mapRequestSchemas, type MapResults } from './contract/map';
import { layoutRequestSchemas, type LayoutResults } from './contract/layout';
import { modelsRequestSchemas, type ModelBuildStep, type ModelsResults, type ModelVariantCost } from './contract/models';
import { searchRequestSchemas, type SearchResults } from './contract/search';
import { settingsRequestSchemas, type SettingsEvents, type SettingsResults } from './contract/settings';
import { backendsRequestSchemas, type BackendsResults } from './contract/backends';
import { understandingRequestSchemas, type UnderstandingEvents, type UnderstandingResults } from './contract/understanding';
import { viewerRequestSchemas, type ViewerResults } from './contract/viewer';
import { xmpRequestSchemas, type XmpResults } from './contract/xmp';

export type { ChatConversationDto, ChatConversationSummary, ChatPhotoDto, ChatTurnDto } from './contract/chat';
export type {
  AlbumDto,
  CollectionChange,
  CollectionProblem,
  PhotoSelection,
  PhotoView,
  PhotoViewKind,
  Rotation,
  TrashMoveResult,
  TrashPlan,
  TrashRestoreResult,
} from './contract/collections';
export type {
  LibraryConversationDto,
  LibraryConversationSummary,
  LibraryFactsDto,
  LibrarySourceDto,
  LibraryTurnDto,
} from './contract/library-chat';
export type { Bbox, MapPoints } from './contract/map';
export type { PhotoLayout } from './contract/layout';
export type { FolderEntryDto, FolderListing, FolderPlace, FolderPlaces } from './contract/folders';
export type { ModelBuildStep, ModelOffer, ModelRecommendation, ModelVariant, ModelVariantCost } from './contract/models';
export type { MadeBy, PhotoTagDto, PhotoUnderstanding, TagLabelDto, UnderstoodText } from './contract/understanding';
export type { MatchReason, MatchSnippet, SearchChip, SearchCoverage, SearchItem, SearchResult, Strictness } from './contract/search';
export type { SettingKey, Settings, SettingsDto, SettingsPatch } from './contract/settings';
export type { BackendHealth, BackendsDto, RemoteBackend, RemoteBackendDto } from './contract/backends';
export type { XmpSkipped, XmpWriteResult } from './contract/xmp';

/** A positive SQLite row id. */
const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Empty = z.object({}).strict();
/** Absolute or relative path typed by a user; resolved and checked by main. */
const UserPath = z.string().trim().min(1, 'path is empty').max(4096, 'path is too long');

/** Argument schemas of every request. Keys are the method names. */
export const requestSchemas = {
  'app:info': Empty,
  'library:folders': Empty,
  'library:addFolder': z.object({ path: UserPath }).strict(),
  'library:removeFolder': z.object({ folderId: Id }).strict(),
  'library:rescan': z.object({ folderId: Id.optional() }).strict(),
  'photos:page': z
    .object({
      offset: z.number().int().min(0).max(10_000_000),
      limit: z.number().int().min(1).max(1000),
      folderId: Id.optional(),
      /** Which photos: [Note: Views and selections] in contract/collections.ts; 'all' when omitted. */
      view: photoViewSchema.optional(),
      /** Only photos taken inside this area ([Note: Map areas] in contract/map.ts). */
      bbox: bboxSchema.optional(),
    })
    .strict(),
  'photos:timeline': z.object({ folderId: Id.optional(), view: photoViewSchema.optional(), bbox: bboxSchema.optional() }).strict(),
  'photos:get': z.object({ id: Id }).strict(),
  'jobs:status': Empty,
  'jobs:pause': Empty,
  'jobs:resume': Empty,
  'jobs:retryFailed': z.object({ step: z.string().max(64).optional() }).strict(),
  'jobs:failures': z.object({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(100) }).strict(),
  'models:list': Empty,
  'models:download': z
    .object({
      id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/),
      /** Only these variants (all the model has when omitted). */
      variants: z
        .array(z.enum(['fp32', 'fp16', 'int8', 'q4']))
        .min(1)
        .max(4)
        .optional(),
      /** Make it the active model once installed, when none is active (the first-run offer). */
      activate: z.boolean().optional(),
    })
    .strict(),
  'models:cancelDownload': z.object({ id: z.string().max(128) }).strict(),
  'models:import': z.object({ path: UserPath }).strict(),
  'models:delete': z.object({ id: z.string().max(128) }).strict(),
  'models:select': z.object({ id: z.string().max(128).nullable() }).strict(),
  'photos:describe': z
    .object({
      id: Id,
      /** A question about the photo; a one-sentence caption when omitted. */
      prompt: z.string().trim().min(1).max(2000).optional(),
      /** Caller-chosen id that tags the streamed `inference:text` events and allows `inference:cancel`. */
      requestId: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/)
        .optional(),
    })
    .strict(),
  'inference:cancel': z.object({ requestId: z.string().max(64) }).strict(),
  'system:doctor': Empty,
  ...understandingRequestSchemas,
  ...settingsRequestSchemas,
  ...backendsRequestSchemas,
  ...xmpRequestSchemas,
  ...viewerRequestSchemas,
  ...searchRequestSchemas,
  ...chatRequestSchemas,
  ...libraryChatRequestSchemas,
  ...modelsRequestSchemas,
  ...collectionsRequestSchemas,
  ...mapRequestSchemas,
  ...layoutRequestSchemas,
  ...foldersRequestSchemas,
} as const;

export type RequestName = keyof typeof requestSchemas;
/** What a caller passes (defaults may be omitted). */
export type RequestArgs<K extends RequestName> = z.input<(typeof requestSchemas)[K]>;
/** What a handler receives after validation (defaults applied). */
export type ValidArgs<K extends RequestName> = z.output<(typeof requestSchemas)[K]>;

// ---------------------------------------------------------------------------------------------------
// DTOs

export interface AppInfo {
  name: 'Shoebox';
  version: string;
  dataDir: string;
  /** Which front door serves this renderer. */
  shell: 'electron' | 'headless';
  platform: string;
  /** Base URL for media: `${mediaBase}/thumb/<key>`, `${mediaBase}/original/<folderId>/<relPath>`. */
  mediaBase: string;
}

export interface FolderDto {
  id: number;
  path: string;
  addedAt: string;
  /** 'ok', 'polling' (watch limit hit, polling instead), 'missing' (folder gone or unmounted). */
  status: 'ok' | 'polling' | 'missing';
  warning: string | null;
  /** Problems the last full scan met (unreadable or too-deep sub-folders, symlink loops); empty when none. */
  scanWarnings: string[];
  /** Photos of the folder its grid shows: hidden ones and those in the Trash are not counted. */
  photoCount: number;
}

export type MediaKind = 'image' | 'raw' | 'video';

/** One grid cell. Kept small: the grid pages thousands of them. */
export interface PhotoSummary {
  id: number;
  kind: MediaKind;
  /** Content-addressed thumbnail key, or null while the thumbnail is not made yet. */
  thumb: string | null;
  width: number | null;
  height: number | null;
  /** Local wall-clock capture time (ISO without zone), falling back to the file's mtime. */
  takenAt: string;
  /** Day key `YYYY-MM-DD` of takenAt, for grouping. */
  day: string;
  name: string;
  /** 'ok' | 'missing' (file gone) | 'error' (unreadable, see PhotoDetail.error). */
  status: 'ok' | 'missing' | 'error';
  /** ThumbHash of the thumbnail, base64 (~30 chars), painted while it loads; absent until made. */
  placeholder?: string;
  /** Marked as a favourite; absent in grid cells when not (contract/collections.ts). */
  favourite?: boolean;
  /** Stars 1–5 (the user's, else the file's XMP/EXIF rating); absent when unrated. */
  rating?: number;
  /** Hidden (shown only in the Hidden view); absent in grid cells when not. */
  hidden?: boolean;
  /** Display rotation in quarter turns clockwise, applied after the EXIF orientation; absent when 0. */
  rotation?: Rotation;
}

export interface PhotoFileDto {
  folderId: number;
  relPath: string;
  absPath: string;
  size: number;
  mtime: string;
  status: 'ok' | 'missing' | 'error';
}

export interface PhotoDetail extends PhotoSummary {
  hash: string;
  mime: string | null;
  files: PhotoFileDto[];
  /** Large preview key (content-addressed; made by its first request, then cached), or null when there is none to make. */
  preview: string | null;
  takenOffset: string | null;
  takenAtSource: 'exif' | 'file';
  camera: { make: string | null; model: string | null; lens: string | null };
  exposure: { iso: number | null; fNumber: number | null; exposureTime: number | null; focalLength: number | null };
  gps: { lat: number; lon: number; alt: number | null } | null;
  /** Where the GPS fix is (offline reverse geocoding, GeoNames): absent until geocoded, or without a usable fix. */
  place?: { city: string; region: string | null; country: string; countryCode: string };
  xmp: { title: string | null; description: string | null; keywords: string[]; rating: number | null };
  orientation: number | null;
  error: string | null;
  favourite: boolean;
  /** 0 (unrated) to 5: the user's rating, else the file's XMP/EXIF rating read at index time. */
  rating: number;
  /** Where `rating` comes from: set in Shoebox, read from the file, or none. */
  ratingSource: 'user' | 'file' | 'none';
  hidden: boolean;
  rotation: Rotation;
  /** Moved to the OS trash by Shoebox and not restored (shown in the Trash view). */
  removed: boolean;
  /** The albums this photo is in, by name. */
  albums: { id: number; name: string }[];
}

export interface PhotoPage {
  items: PhotoSummary[];
  total: number;
  offset: number;
}

/** Photos per month, newest first, with the index of the first photo of the month in the sort order. */
export interface TimelineGroup {
  key: string; // YYYY-MM
  count: number;
  firstIndex: number;
}

export type JobState = 'pending' | 'running' | 'done' | 'failed-retryable' | 'failed-permanent';

export interface StepProgress {
  step: string;
  pending: number;
  running: number;
  done: number;
  failed: number;
  /** Items per second over the last minute. */
  rate: number;
  /** Seconds to finish this step at the current rate, or null when unknown. */
  etaSeconds: number | null;
  /** Seconds per item measured by the step itself (understanding: per photo, from its batches), or null. */
  secondsPerItem?: number | null;
  /** Where and how the step runs, for the progress row: 'CPU · int8' for understanding. */
  detail?: string | null;
  /** Why this step is not moving ('No model is selected…', 'paused on battery'), or null. */
  blockedReason?: string | null;
}

export interface JobsStatus {
  paused: boolean;
  /** Why the queue is not moving, when it is not: 'paused', 'no model installed', ... */
  blockedReason: string | null;
  steps: StepProgress[];
  /** Files with at least one failed step: what "N files could not be read" counts (each file once). */
  failedFiles?: number;
  photos: number;
  missing: number;
  errors: number;
}

export interface JobFailure {
  jobId: number;
  photoId: number;
  step: string;
  state: JobState;
  attempts: number;
  error: string;
  path: string | null;
  /** The photo is hidden: the grid leaves it out (the Hidden view shows it), while Shoebox still works on it. */
  hidden: boolean;
  updatedAt: string;
}

export interface ModelDto {
  id: string;
  name: string;
  family: string;
  installed: boolean;
  active: boolean;
  randomWeights: boolean;
  variants: string[];
  bytes: number;
  path: string | null;
  /**
   * Each variant's first-token logits cosine to fp32, measured on the bundle at build time, and the bar
   * a variant must reach to be offered by default; null when not measured (imported, a text embedder).
   */
  accuracy: { bar: number; cosine: Record<string, number> } | null;
  /** Size, memory and speed of each installed variant (InternVL bundles; empty otherwise). */
  variantCosts: ModelVariantCost[];
  download: {
    /** `building`: the bundle is built from a downloaded checkpoint (see `buildStep`). */
    state: 'idle' | 'downloading' | 'verifying' | 'building' | 'failed';
    /** Bytes (or, while building, the step's units) done and in all, for the current state. */
    received: number;
    total: number;
    /** The build's step while `state` is `building`, else null. */
    buildStep: ModelBuildStep | null;
    error: string | null;
    /** Downloading again could pick up where this stopped or failed (see [Note: Resumable failures]). */
    resumable: boolean;
  };
}

/** InternVL's answer about one photo. */
export interface DescribeResult {
  requestId: string | null;
  text: string;
  finishReason: 'stop' | 'length';
  modelId: string;
  modelName: string;
  /** True when the model has random weights (demo mode): the text is meaningless and must be labelled. */
  demo: boolean;
  numTiles: number;
  ms: number;
}

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DoctorReport {
  versions: Record<string, string>;
  dataDir: string;
  database: { path: string; ok: boolean; schemaVersion: number; detail: string };
  executionProviders: { name: string; available: boolean; reason: string }[];
  checks: DoctorCheck[];
}

/** Results of every request. */
export interface RequestResults
  extends
    UnderstandingResults,
    SettingsResults,
    BackendsResults,
    XmpResults,
    ViewerResults,
    SearchResults,
    ChatResults,
    LibraryChatResults,
    ModelsResults,
    CollectionsResults,
    MapResults,
    LayoutResults,
    FoldersResults {
  'app:info': AppInfo;
  'library:folders': FolderDto[];
  'library:addFolder': FolderDto;
  'library:removeFolder': { removed: boolean };
  'library:rescan': { queued: number };
  'photos:page': PhotoPage;
  'photos:timeline': TimelineGroup[];
  'photos:get': PhotoDetail;
  'jobs:status': JobsStatus;
  'jobs:pause': JobsStatus;
  'jobs:resume': JobsStatus;
  'jobs:retryFailed': { requeued: number };
  'jobs:failures': { items: JobFailure[]; total: number };
  'models:list': ModelDto[];
  'models:download': ModelDto;
  'models:cancelDownload': { cancelled: boolean };
  'models:import': ModelDto;
  'models:delete': { deleted: boolean };
  'models:select': ModelDto[];
  'photos:describe': DescribeResult;
  'inference:cancel': { cancelled: boolean };
  'system:doctor': DoctorReport;
}

// ---------------------------------------------------------------------------------------------------
// Events pushed from main to every renderer.

export interface Events extends UnderstandingEvents, SettingsEvents, ChatEvents, LibraryChatEvents, CollectionsEvents {
  /** Photos were added, changed or removed; the grid refetches what it shows. */
  'library:changed': { folderId: number | null; added: number; updated: number; removed: number };
  'library:folders': FolderDto[];
  'jobs:progress': JobsStatus;
  'models:progress': ModelDto;
  /** Text streamed by a running `photos:describe` (by requestId), as it is generated. */
  'inference:text': { requestId: string; text: string };
  /** Something the user should see (a watch limit hit, a full disk). */
  'app:warning': { code: string; message: string };
}
export type EventName = keyof Events;

// ---------------------------------------------------------------------------------------------------
// Errors

/** Error codes a caller can branch on. */
export type ApiErrorCode =
  'bad-argument' | 'unknown-method' | 'not-found' | 'conflict' | 'unavailable' | 'unauthorized' | 'cancelled' | 'internal';

export interface ApiErrorDto {
  code: ApiErrorCode;
  message: string;
  /** Per-field messages for 'bad-argument'. */
  issues?: { path: string; message: string }[];
}

/** Main's side: one function per request. */
export type Handlers = {
  [K in RequestName]: (args: ValidArgs<K>) => Promise<RequestResults[K]> | RequestResults[K];
};

/** The renderer's side: what the typed client exposes. */
export interface ApiClient {
  call<K extends RequestName>(method: K, args: RequestArgs<K>): Promise<RequestResults[K]>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

/** What preload exposes on `window.shoebox` (Electron only). */
export interface Bridge {
  invoke(method: string, args: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: ApiErrorDto }>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
  /** Native folder picker; null when cancelled. */
  pickFolder(): Promise<string | null>;
}
