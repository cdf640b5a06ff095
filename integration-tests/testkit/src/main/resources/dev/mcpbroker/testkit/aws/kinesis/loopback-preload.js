// Loaded with `node --require` before kinesis-local (kinesis-mock), which has no setting for its listen address
// and listens on all interfaces. This makes every TCP server of the process listen on LOOPBACK_HOST instead.
'use strict';
const net = require('net');

const host = process.env.LOOPBACK_HOST || '127.0.0.1';
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    // listen(port[, host][, backlog][, callback])
    if (typeof args[1] === 'string' || args[1] === undefined || args[1] === null) {
      args[1] = host;
    } else {
      args.splice(1, 0, host);
    }
  } else if (first !== null && typeof first === 'object' && !('_handle' in first) && !('fd' in first) && !('path' in first)) {
    // listen(options[, callback])
    args[0] = Object.assign({}, first, { host });
  }
  return listen.apply(this, args);
};

// A harness killed with SIGKILL cannot stop its children: notice being orphaned and stop.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) {
    process.exit(0);
  }
}, 1000).unref();
