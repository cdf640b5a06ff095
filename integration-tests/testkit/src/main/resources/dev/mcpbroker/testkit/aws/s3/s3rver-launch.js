// Starts s3rver (an S3 emulator on the local file system) on 127.0.0.1 for the testkit. s3rver accepts only access
// keys of its own accounts, so the testkit's identity is registered as one of them first.
'use strict';
const path = require('path');
const dir = process.env.S3RVER_PACKAGE_DIR;
const S3rver = require(path.join(dir, 'lib', 's3rver.js'));
const AWSAccount = require(path.join(dir, 'lib', 'models', 'account.js'));

new AWSAccount(process.env.S3RVER_ACCOUNT_ID, 'mcp-broker-tests')
  .createKeyPair(process.env.S3RVER_ACCESS_KEY_ID, process.env.S3RVER_SECRET_ACCESS_KEY);

new S3rver({
  address: '127.0.0.1',
  port: Number(process.env.S3RVER_PORT),
  directory: process.env.S3RVER_DIRECTORY,
  silent: true,
  vhostBuckets: false,
}).run().then(
  (address) => console.log('s3rver listening on ' + address.address + ':' + address.port),
  (err) => { console.error(err); process.exit(1); });
