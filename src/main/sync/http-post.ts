// One POST to the central server, as bytes, and how its failures read: a refusal (the server said no) or the link
// failing. Apart from transport.ts so the pull reader's worker thread can ask for pull answers itself without
// loading the WebSocket client.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isErrorInfo, type ErrorCode, type ErrorInfo } from '../../shared/errors';
import { asciiJson } from './ascii-json';

/** An answer from the server that is not a success: the request reached it and it said no. */
export class ServerRefusal extends Error {
  constructor(
    readonly status: number,
    readonly info: ErrorInfo,
  ) {
    super(`${status} ${info.code}: ${info.message}`);
    this.name = 'ServerRefusal';
  }
}

/** The link is down or the answer never came (the server may or may not have acted on the request). */
export class LinkDown extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkDown';
  }
}

export function refusalOf(status: number, body: unknown): ServerRefusal {
  if (isErrorInfo(body)) return new ServerRefusal(status, body);
  const code: ErrorCode =
    status === 401
      ? 'unauthenticated'
      : status === 403
        ? 'forbidden'
        : status === 413
          ? 'too_large'
          : 'invalid_input';
  return new ServerRefusal(status, { code, message: `the server answered ${status}` });
}

/** Where and how a client posts: the server's base URL, one kept-alive connection, and how long it waits. */
export interface PostTarget {
  base: string;
  agent: HttpAgent;
  timeoutMs: number;
}

/** A target for a server's base URL (no trailing slash needed), with its own kept-alive connection. */
export function postTarget(url: string, timeoutMs: number): PostTarget {
  const base = url.replace(/\/+$/, '');
  // One connection reused across requests: a drain or a catch-up is hundreds of requests in a row.
  const agent = base.startsWith('https:')
    ? new HttpsAgent({ keepAlive: true })
    : new HttpAgent({ keepAlive: true });
  return { base, agent, timeoutMs };
}

/**
 * A 2xx answer's body as bytes; any other answer is a refusal (4xx) or the link failing (5xx, no answer). Built on
 * node:http rather than fetch: on Node 20, fetch could leave a POST pending until its timeout when the peer reset
 * the connection mid-request; node:http reports the reset at once.
 */
export function postForBytes(
  target: PostTarget,
  path: string,
  body: unknown,
  token?: string,
  retried = false,
): Promise<Buffer> {
  // As ASCII: the server reads it without decoding UTF-8 (see ascii-json.ts).
  const payload = asciiJson(Buffer.from(JSON.stringify(body)));
  return new Promise<Buffer>((resolve, reject) => {
    const send = target.base.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(
      `${target.base}${path}`,
      {
        method: 'POST',
        agent: target.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => reject(new LinkDown(`${path}: ${error.message}`)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const bytes = Buffer.concat(chunks);
          if (status >= 500) reject(new LinkDown(`${path}: server error ${status}`));
          else if (status >= 200 && status < 300) resolve(bytes);
          else {
            let parsed: unknown;
            try {
              parsed = JSON.parse(bytes.toString('utf8')) as unknown;
            } catch {
              parsed = undefined;
            }
            reject(refusalOf(status, parsed));
          }
        });
      },
    );
    req.setTimeout(target.timeoutMs, () => req.destroy(new Error(`no answer within ${target.timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive connection the server had just closed: every route is safe to repeat (a pushed command
      // is recognised by its workstation and counter), so try once on a fresh connection.
      if (!retried && req.reusedSocket && error.code === 'ECONNRESET') {
        postForBytes(target, path, body, token, true).then(resolve, reject);
        return;
      }
      reject(new LinkDown(`${path}: ${error.message}`));
    });
    req.end(payload);
  });
}
