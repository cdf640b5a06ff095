// Preloaded with `node --require` into servers that bind every interface and have no host setting
// (e.g. @modelcontextprotocol/server-everything): every TCP listen is forced onto 127.0.0.1.
// Unix-socket and handle/fd listens are left alone.
'use strict';
const net = require('node:net');

const LOOPBACK = '127.0.0.1';
const listen = net.Server.prototype.listen;

function isPort(value) {
    return typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value));
}

net.Server.prototype.listen = function (...args) {
    const first = args[0];
    if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
        // listen(options[, cb]); options with path/fd/handle are not TCP ports
        if (first.path === undefined && first.fd === undefined && first._handle === undefined && first.handle === undefined) {
            args[0] = { ...first, host: LOOPBACK };
        }
    } else if (isPort(first) || first === undefined || first === null) {
        // listen([port][, host][, backlog][, cb])
        const port = isPort(first) ? first : 0;
        const rest = args.slice(1);
        if (typeof rest[0] === 'string' || rest[0] === undefined || rest[0] === null) {
            rest[0] = LOOPBACK;
        } else {
            rest.unshift(LOOPBACK);
        }
        args = [port, ...rest];
    } else if (typeof first === 'function') {
        // listen(cb)
        args = [0, LOOPBACK, first];
    }
    return listen.apply(this, args);
};
