/**
 * @file Which Hugging Face hub Shoebox talks to: the base URL in effect and where it came from.
 *
 * Runs in main. Pure; no I/O.
 *
 * [Note: Hub endpoint] The hub's base URL (the official hub, or a mirror that serves the same API
 * and `resolve` URLs) is chosen in this order: the model manager's `hub.endpoint` option (tests),
 * then the `HF_ENDPOINT` environment variable (the convention of Hugging Face's own tools, so a
 * machine set up for a mirror needs nothing more), then the `models.hubEndpoint` setting, then
 * https://huggingface.co. The environment wins over the setting for the same reason
 * `SHOEBOX_MODEL_BASE_URL` wins over `modelBaseUrl` (main/models/catalog.ts): it is a deliberate
 * choice for this launch. An access token is sent only to this URL's origin
 * ([Note: Hub credentials] in hub-fetch.ts), so pointing Shoebox at a mirror also decides who sees it.
 */
import { normaliseBaseUrl } from '../catalog';

/** The official hub. */
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** The hub URL in effect and which knob set it. */
export interface HubEndpoint {
  url: string;
  from: 'option' | 'HF_ENDPOINT' | 'setting' | 'default';
}

/**
 * The hub URL by [Note: Hub endpoint]'s order; empty values are skipped. Throws an Error naming the
 * source when the chosen value is not an http(s) URL without query or fragment.
 */
export function resolveHubEndpoint(sources: {
  option?: string | undefined;
  env?: string | undefined;
  setting?: string | undefined;
}): HubEndpoint {
  const pick: [HubEndpoint['from'], string | undefined][] = [
    ['option', sources.option],
    ['HF_ENDPOINT', sources.env],
    ['setting', sources.setting],
  ];
  for (const [from, raw] of pick) {
    if (raw === undefined || raw.trim() === '') continue;
    try {
      const url = normaliseBaseUrl(raw);
      // The settings service answers the default for a setting never set: that is still the default.
      return { url, from: from === 'setting' && url === DEFAULT_HUB_ENDPOINT ? 'default' : from };
    } catch (err) {
      const where = from === 'setting' ? 'the models.hubEndpoint setting' : from === 'HF_ENDPOINT' ? 'HF_ENDPOINT' : 'the hub option';
      throw new Error(`${(err as Error).message.replace('model base URL', 'hub URL')} (from ${where})`);
    }
  }
  return { url: DEFAULT_HUB_ENDPOINT, from: 'default' };
}
