// A tiny static server for a built site, as a host would serve it: under a base path, with the
// Content-Security-Policy that docs/search.md documents on every response, gzip for text
// (the search index's binary chunks are sent as they are), and a log of the bytes sent for each request.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { gzipSync } from "node:zlib";

/** The policy the site must work under: docs/search.md and netlify.toml state it. */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".xml": "application/xml",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
};
const TEXT = new Set([".html", ".js", ".mjs", ".css", ".json", ".xml", ".svg", ".txt"]);

/** Starts serving `root` under `base` ("/" or "/wiki/") on 127.0.0.1; resolves to the server. */
export async function serveSite(root, base) {
  const log = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://localhost");
    const path = decodeURIComponent(url.pathname);
    const send = (status, body, type, encoded = false) => {
      const headers = { "Content-Security-Policy": CSP, "Content-Type": type, "Cache-Control": "no-store" };
      if (encoded) headers["Content-Encoding"] = "gzip";
      res.writeHead(status, headers);
      res.end(body);
      log.push({ path, status, bytes: body.length });
    };
    if (!path.startsWith(base)) return send(404, Buffer.from("not found"), TYPES[".txt"]);
    let file = normalize(join(root, path.slice(base.length)));
    if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
      return send(403, Buffer.from("forbidden"), TYPES[".txt"]);
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      const ext = extname(file);
      const type = TYPES[ext] || "application/octet-stream";
      const gzip = TEXT.has(ext) && /\bgzip\b/.test(req.headers["accept-encoding"] || "");
      send(200, gzip ? gzipSync(body) : body, type, gzip);
    } catch {
      send(404, Buffer.from("not found"), TYPES[".txt"]);
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.requests = log;
  server.origin = `http://127.0.0.1:${server.address().port}`;
  return server;
}
