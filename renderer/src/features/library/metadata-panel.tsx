/**
 * @file The viewer's side panel: everything the library knows about one photo (date, camera, lens,
 * exposure, size, place, GPS, files on disk, XMP). Runs in the renderer.
 */
import type { ReactNode } from 'react';
import type { PhotoDetail } from '../../../../preload/contract';
import { bytesLabel, dateTimeLabel, exposureLabel, gpsLabel } from '../../format';

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="meta-row" data-testid={testId}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** Metadata of one photo as a definition list; rows without data are left out. `children` go below it. */
export function MetadataPanel({ photo, children }: { photo: PhotoDetail; children?: ReactNode }) {
  const camera = [photo.camera.make, photo.camera.model].filter(Boolean).join(' ');
  const exposure = exposureLabel(photo.exposure);
  const file = photo.files[0];
  const { xmp } = photo;
  return (
    <aside className="meta-panel" aria-label="Photo details" data-testid="metadata-panel">
      <h2 className="meta-title" title={photo.name}>
        {xmp.title || photo.name}
      </h2>
      {photo.error ? (
        <p className="inline-error" role="alert">
          {photo.error}
        </p>
      ) : null}
      <dl>
        <Row label="Taken" testId="meta-date">
          {dateTimeLabel(photo.takenAt)}
          {photo.takenOffset ? ` (UTC${photo.takenOffset})` : ''}
          {photo.takenAtSource === 'file' ? <span className="muted"> · from file time, no EXIF date</span> : null}
        </Row>
        {camera ? <Row label="Camera">{camera}</Row> : null}
        {photo.camera.lens ? <Row label="Lens">{photo.camera.lens}</Row> : null}
        {exposure ? <Row label="Exposure">{exposure}</Row> : null}
        <Row label="Size" testId="meta-size">
          {photo.width && photo.height ? `${photo.width} × ${photo.height} px` : 'unknown dimensions'}
          {photo.width && photo.height ? ` · ${((photo.width * photo.height) / 1e6).toFixed(1)} MP` : ''}
          {file ? ` · ${bytesLabel(file.size)}` : ''}
        </Row>
        {photo.mime ? <Row label="Type">{photo.mime}</Row> : null}
        {photo.place ? (
          <Row label="Place" testId="meta-place">
            {[photo.place.city, photo.place.region, photo.place.country]
              .filter((part, i, all) => part && all.indexOf(part) === i)
              .join(', ')}
          </Row>
        ) : null}
        {photo.gps ? (
          <Row label="Location">
            {gpsLabel(photo.gps.lat, photo.gps.lon)}
            {photo.gps.alt !== null ? ` · ${Math.round(photo.gps.alt)} m` : ''}
          </Row>
        ) : null}
        {xmp.description ? <Row label="Description">{xmp.description}</Row> : null}
        {xmp.keywords.length > 0 ? (
          <Row label="Keywords">
            <ul className="chips">
              {xmp.keywords.map((k) => (
                <li key={k} className="chip">
                  {k}
                </li>
              ))}
            </ul>
          </Row>
        ) : null}
        {xmp.rating !== null ? <Row label="Rating">{xmp.rating > 0 ? '★'.repeat(Math.min(5, xmp.rating)) : 'rejected'}</Row> : null}
        <Row label={photo.files.length > 1 ? `Files (${photo.files.length})` : 'File'} testId="meta-paths">
          <ul className="paths">
            {photo.files.map((f) => (
              <li key={`${f.folderId}/${f.relPath}`} className={f.status !== 'ok' ? 'path-bad' : undefined}>
                <code>{f.absPath}</code>
                {f.status !== 'ok' ? <span className={`badge badge-${f.status}`}>{f.status}</span> : null}
              </li>
            ))}
          </ul>
        </Row>
        <Row label="Fingerprint">
          <code className="muted">{photo.hash.slice(0, 16)}</code>
        </Row>
      </dl>
      {children}
    </aside>
  );
}
