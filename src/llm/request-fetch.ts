import { type Dispatcher, request } from 'undici';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Responses that never have a body (RFC 9110); `new Response` refuses one for them. */
const NO_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * The `fetch` the OpenAI SDK is given: undici's `request` on `dispatcher`, returning a standard `Response`.
 *
 * The SDK only sends JSON (a string body) and reads the response as a stream; `fetch` would wrap the outgoing body
 * in a WHATWG stream and write it from an async iterator, several ticks after the call. With 150 questions at once,
 * the last request reached its socket ~26 ms after the SDK calls through `fetch` and ~16 ms through this.
 */
export function requestFetch(dispatcher: Dispatcher): Fetch {
  return async (input, init = {}) => {
    if (typeof input !== 'string' && !(input instanceof URL)) throw new TypeError('requestFetch takes a URL');
    const body = init.body ?? null;
    if (body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      throw new TypeError('requestFetch sends string or byte bodies only');
    }
    const method = (init.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod;
    const response = await request(input, {
      method,
      headers: init.headers as Dispatcher.RequestOptions['headers'],
      body,
      signal: init.signal ?? undefined,
      dispatcher,
    }).catch(sameRealmError);
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      else if (value !== undefined) headers.set(name, value);
    }
    const empty = NO_BODY.has(response.statusCode) || method === 'HEAD';
    if (empty) response.body.resume();
    // Cancelling this stream (the SDK does, before a retry) ends the iterator, which destroys the socket's body.
    const stream = empty ? null : ReadableStream.from<Uint8Array>(response.body);
    return new Response(stream, { status: response.statusCode, headers });
  };
}

/**
 * The SDK tells a timed-out request from other failures by the rejection's `name` ('AbortError'), but it keeps
 * that name only for rejections that are `instanceof Error` in its own realm. Where the SDK runs in another realm
 * than undici (jest's VM sandbox), an abort's DOMException is not, and every timeout would read as a connection error.
 */
function sameRealmError(error: unknown): never {
  if (error instanceof Error || typeof error !== 'object' || error === null) throw error;
  const foreign = error as { name?: unknown; message?: unknown };
  const local = new Error(String(foreign.message ?? 'request failed'), { cause: error });
  local.name = String(foreign.name ?? 'Error');
  throw local;
}
