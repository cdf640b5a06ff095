#!/usr/bin/env node
// Many concurrent sessions of the official TypeScript SDK client in one Node.js process, for load and fault
// tests of the broker (one process per session would cost more than the broker under test).
//
//   node ts-sessions.mjs <mcpUrl> <scenarioJson>
//
// scenarioJson: {
//   "headers": { "Authorization": "Bearer ..." },   sent on every HTTP request
//   "sessions": 10,                                  concurrent sessions (one Client + transport each)
//   "calls": 50,                                     tools/call per session, one after the other
//   "tool": "get_balance", "arguments": { ... },     the tool called
//   "listEvery": 10,                                 a tools/list before every n-th call (0: never)
//   "timeoutMs": 30000                               per request
// }
//
// A failed request is recorded and the session goes on with its next request: the point is to see what a
// client experiences, not to stop at the first error. Progress goes to stderr, one line per finished request:
//   progress <requests finished in all sessions>
// The result is ONE JSON object on stdout:
//   { "sessions": [ { "index": 0, "connected": true, "sessionId": "...", "sessionIdAtEnd": "...",
//                     "initializeRequests": 1, "callsOk": 50, "listsOk": 5,
//                     "errors": [ { "op": "callTool", "call": 17, "type": "StreamableHTTPError", "code": 502,
//                                   "message": "..." } ] } ] }
// Exit code 0 unless the scenario itself is unusable (2).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

let finished = 0;

function progress() {
    finished++;
    process.stderr.write(`progress ${finished}\n`);
}

function describeError(e) {
    const out = { type: e?.constructor?.name ?? typeof e, message: e?.message ?? String(e) };
    if (e?.code !== undefined) {
        out.code = e.code;
    }
    if (e?.data !== undefined) {
        out.data = e.data;
    }
    return out;
}

async function runSession(index, url, scenario) {
    const requestOptions = { timeout: scenario.timeoutMs ?? 30000 };
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: scenario.headers ?? {} } });
    const result = { index, connected: false, initializeRequests: 0, callsOk: 0, listsOk: 0, errors: [] };
    // Count initialize requests on the wire: a client that silently re-initialized would have lost its session.
    const send = transport.send.bind(transport);
    transport.send = (message, options) => {
        if (message?.method === 'initialize') {
            result.initializeRequests++;
        }
        return send(message, options);
    };
    const client = new Client({ name: `ts-sessions-${index}`, version: '1.0.0' });
    try {
        await client.connect(transport, requestOptions);
    } catch (e) {
        result.connectError = describeError(e);
        await client.close().catch(() => {});
        return result;
    }
    result.connected = true;
    result.sessionId = transport.sessionId ?? null;
    const listEvery = scenario.listEvery ?? 0;
    for (let call = 0; call < (scenario.calls ?? 1); call++) {
        if (listEvery > 0 && call % listEvery === 0) {
            try {
                await client.listTools(undefined, requestOptions);
                result.listsOk++;
            } catch (e) {
                result.errors.push({ op: 'listTools', call, ...describeError(e) });
            }
            progress();
        }
        try {
            const answer = await client.callTool({ name: scenario.tool, arguments: scenario.arguments ?? {} },
                undefined, requestOptions);
            if (answer.isError) {
                result.errors.push({ op: 'callTool', call, type: 'ToolError', message: JSON.stringify(answer.content) });
            } else {
                result.callsOk++;
            }
        } catch (e) {
            result.errors.push({ op: 'callTool', call, ...describeError(e) });
        }
        progress();
    }
    result.sessionIdAtEnd = transport.sessionId ?? null;
    // End the session (DELETE) so the broker ends the upstream's; a failure here is not the client's experience.
    await transport.terminateSession().catch(() => {});
    await client.close().catch(() => {});
    return result;
}

async function main() {
    const [url, scenarioText] = process.argv.slice(2);
    if (!url || !scenarioText) {
        process.stderr.write('usage: node ts-sessions.mjs <mcpUrl> <scenarioJson>\n');
        process.exit(2);
    }
    let scenario;
    try {
        scenario = JSON.parse(scenarioText);
    } catch (e) {
        process.stderr.write(`scenario is not JSON: ${e.message}\n`);
        process.exit(2);
    }
    const runs = [];
    for (let i = 0; i < (scenario.sessions ?? 1); i++) {
        runs.push(runSession(i, url, scenario));
    }
    return { sessions: await Promise.all(runs) };
}

main().then(
    (output) => {
        process.stdout.write(JSON.stringify(output) + '\n');
        process.exit(0);
    },
    (e) => {
        process.stderr.write(`ts-sessions failed: ${e?.stack ?? e}\n`);
        process.exit(1);
    });
