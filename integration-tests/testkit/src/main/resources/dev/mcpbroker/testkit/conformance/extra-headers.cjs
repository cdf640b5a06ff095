'use strict';
// Preloaded into the conformance CLI by ConformanceSuite: adds fixed headers (from the JSON object in
// MCP_CONFORMANCE_EXTRA_HEADERS, e.g. {"Authorization": "Bearer ..."}) to every HTTP request the suite sends,
// through fetch (the SDK client and most scenarios), undici's request and node:http's request (raw-header scenarios).
// A header a scenario sets itself is left as the scenario set it.
const extra = JSON.parse(process.env.MCP_CONFORMANCE_EXTRA_HEADERS || '{}');
const entries = Object.entries(extra);
if (entries.length > 0) {
  const mergeRecord = (headers) => {
    const merged = { ...(headers || {}) };
    const present = new Set(Object.keys(merged).map((k) => k.toLowerCase()));
    for (const [name, value] of entries) {
      if (!present.has(name.toLowerCase())) merged[name] = value;
    }
    return merged;
  };

  const originalFetch = globalThis.fetch;
  globalThis.fetch = function fetchWithExtraHeaders(input, init) {
    const options = { ...(init || {}) };
    const headers = new Headers(options.headers ?? (input instanceof Request ? input.headers : undefined));
    for (const [name, value] of entries) {
      if (!headers.has(name)) headers.set(name, value);
    }
    options.headers = headers;
    return originalFetch.call(this, input, options);
  };

  const http = require('node:http');
  const originalHttpRequest = http.request;
  http.request = function requestWithExtraHeaders(...args) {
    const index = args.findIndex((a) => a && typeof a === 'object' && !(a instanceof URL));
    if (index >= 0) {
      args[index] = { ...args[index], headers: mergeRecord(args[index].headers) };
    } else {
      args.splice(1, 0, { headers: mergeRecord({}) });
    }
    return originalHttpRequest.apply(this, args);
  };

  const undiciPath = process.env.MCP_CONFORMANCE_UNDICI;
  if (undiciPath) {
    const undici = require(undiciPath);
    const originalRequest = undici.request;
    undici.request = function requestWithExtraHeaders(url, options) {
      const opts = { ...(options || {}) };
      opts.headers = mergeRecord(opts.headers);
      return originalRequest.call(this, url, opts);
    };
  }
}
