#!/usr/bin/env node
// A real MCP client (the official TypeScript SDK) driven by a scenario, for the broker's integration tests.
//
//   node ts-client.mjs <mcpUrl> <scenarioJson>
//
// scenarioJson: {
//   "headers": { "Authorization": "Bearer ..." },          optional, sent on every HTTP request
//   "clientInfo": { "name": "...", "version": "..." },     optional
//   "timeoutMs": 30000,                                     optional, per request
//   "sessionId": "...",                                     optional: continue this session (no initialize)
//   "steps": [
//     { "op": "listTools" },
//     { "op": "callTool", "name": "transfer", "arguments": { ... }, "_meta": { ... } },
//     { "op": "listResources" }, { "op": "readResource", "uri": "..." },
//     { "op": "listPrompts" }, { "op": "getPrompt", "name": "...", "arguments": { ... } },
//     { "op": "ping" },
//     { "op": "terminate" }                                 DELETE the session, then close the client
//   ]
// }
//
// Prints ONE JSON object on stdout:
//   { "connected": true, "sessionId": "...", "protocolVersion": "2025-11-25", "serverInfo": {...},
//     "serverCapabilities": {...}, "steps": [ { "op": "...", "result": {...} } | { "op": "...", "error": {...} } ],
//     "sessionIdAtEnd": "..." }
// A failed connect prints { "connected": false, "connectError": {...}, "steps": [] }. Errors carry
// { "type", "code", "message", "data" }: for a JSON-RPC error `code` is the JSON-RPC code, for an HTTP failure of the
// transport (StreamableHTTPError) it is the HTTP status. Exit code 0 unless the scenario itself is unusable (2).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

function describeError(e) {
    if (e === null || e === undefined) {
        return { type: 'unknown', message: String(e) };
    }
    const out = { type: e.constructor?.name ?? typeof e, message: e.message ?? String(e) };
    if (e.code !== undefined) {
        out.code = e.code;
    }
    if (e.data !== undefined) {
        out.data = e.data;
    }
    return out;
}

async function main() {
    const [url, scenarioText] = process.argv.slice(2);
    if (!url || !scenarioText) {
        process.stderr.write('usage: node ts-client.mjs <mcpUrl> <scenarioJson>\n');
        process.exit(2);
    }
    let scenario;
    try {
        scenario = JSON.parse(scenarioText);
    } catch (e) {
        process.stderr.write(`scenario is not JSON: ${e.message}\n`);
        process.exit(2);
    }
    const headers = scenario.headers ?? {};
    const requestOptions = { timeout: scenario.timeoutMs ?? 30000 };
    const client = new Client(scenario.clientInfo ?? { name: 'mcp-broker-ts-client', version: '1.0.0' });
    const transportOptions = { requestInit: { headers } };
    if (scenario.sessionId) {
        // The SDK's reconnect path: with a session id set, Client.connect does not initialize again.
        transportOptions.sessionId = scenario.sessionId;
    }
    const transport = new StreamableHTTPClientTransport(new URL(url), transportOptions);
    const output = { connected: false, steps: [] };

    try {
        await client.connect(transport, requestOptions);
    } catch (e) {
        output.connectError = describeError(e);
        output.sessionId = transport.sessionId ?? null;
        await client.close().catch(() => {});
        return output;
    }
    output.connected = true;
    output.sessionId = transport.sessionId ?? null;
    output.protocolVersion = transport.protocolVersion ?? null;
    output.serverInfo = client.getServerVersion() ?? null;
    output.serverCapabilities = client.getServerCapabilities() ?? null;

    let closed = false;
    for (const step of scenario.steps ?? []) {
        const record = { op: step.op };
        try {
            switch (step.op) {
                case 'listTools':
                    record.result = await client.listTools(undefined, requestOptions);
                    break;
                case 'callTool': {
                    const params = { name: step.name, arguments: step.arguments ?? {} };
                    if (step._meta) {
                        params._meta = step._meta;
                    }
                    record.result = await client.callTool(params, undefined, requestOptions);
                    break;
                }
                case 'listResources':
                    record.result = await client.listResources(undefined, requestOptions);
                    break;
                case 'readResource':
                    record.result = await client.readResource({ uri: step.uri }, requestOptions);
                    break;
                case 'listPrompts':
                    record.result = await client.listPrompts(undefined, requestOptions);
                    break;
                case 'getPrompt':
                    record.result = await client.getPrompt({ name: step.name, arguments: step.arguments ?? {} }, requestOptions);
                    break;
                case 'ping':
                    record.result = await client.ping(requestOptions);
                    break;
                case 'terminate':
                    record.sessionId = transport.sessionId ?? null;
                    await transport.terminateSession();
                    await client.close();
                    closed = true;
                    record.result = { terminated: true };
                    break;
                default:
                    record.error = { type: 'ScenarioError', message: `unknown op: ${step.op}` };
            }
        } catch (e) {
            record.error = describeError(e);
        }
        output.steps.push(record);
        if (closed) {
            break;
        }
    }
    output.sessionIdAtEnd = transport.sessionId ?? null;
    if (!closed) {
        await client.close().catch(() => {});
    }
    return output;
}

main().then(
    (output) => {
        process.stdout.write(JSON.stringify(output) + '\n');
        process.exit(0);
    },
    (e) => {
        process.stderr.write(`ts-client failed: ${e?.stack ?? e}\n`);
        process.exit(1);
    });
