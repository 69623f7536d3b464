// The connectivity check (/check): one short connection per path, then a verdict in plain words.
// Each attempt is a real client of the signaling API (sfu-client.js) that publishes a data channel only,
// so it costs the server one endpoint for a few seconds and sends no media.
// URL parameters: room and token (when the server requires tokens: one for that room), timeout (ms per
// path, default 8000), block=udp (simulates a network that drops UDP: the UDP path and TURN over UDP are
// not usable; for tests and demonstrations).
import {SfuClient} from './sfu-client.js';

const params = new URLSearchParams(location.search);
const TIMEOUT_MS = Number(params.get('timeout')) || 8000;
const BURST_BYTES = 256 * 1024;
const blockUdp = params.get('block') === 'udp';
const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const $ = (id) => document.getElementById(id);

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  })]).finally(() => clearTimeout(timer));
}

async function selectedPair(pc) {
  const stats = await pc.getStats();
  let found = null;
  stats.forEach((s) => {
    if (s.type === 'transport' && s.selectedCandidatePairId) found = stats.get(s.selectedCandidatePairId);
  });
  if (!found) return {};
  const local = stats.get(found.localCandidateId) || {};
  return {rttMs: found.currentRoundTripTime !== undefined ? Math.round(found.currentRoundTripTime * 1000) : null,
    localType: local.candidateType, protocol: local.protocol, relayProtocol: local.relayProtocol};
}

/** Sends a burst on the channel and measures how fast the browser gets it out (SCTP acks). */
async function burst(channel) {
  const chunk = new Uint8Array(16 * 1024);
  const start = performance.now();
  for (let sent = 0; sent < BURST_BYTES; sent += chunk.length) channel.send(chunk);
  while (channel.bufferedAmount > 0) {
    if (performance.now() - start > TIMEOUT_MS) throw new Error('upload burst did not drain');
    await new Promise((r) => setTimeout(r, 10));
  }
  const ms = Math.max(1, performance.now() - start);
  return Math.round((BURST_BYTES * 8) / ms); // kbit/s
}

async function attempt(name, options) {
  const client = new SfuClient(url, options);
  const room = params.get('room') || `check-${Math.random().toString(36).slice(2, 10)}`;
  const result = {name, ok: false};
  try {
    await withTimeout(client.join(room, 'connectivity check', params.get('token') || undefined), TIMEOUT_MS, 'signaling');
    result.iceServers = client.iceServers;
    const channel = await withTimeout(client.openDataChannel('check'), TIMEOUT_MS, 'connection');
    Object.assign(result, await selectedPair(client.publishPc));
    result.kbps = await burst(channel);
    result.ok = true;
  } catch (e) {
    result.error = e.message || String(e);
    if (!result.iceServers) result.iceServers = client.iceServers || [];
  } finally {
    try { client.leave(); } catch (e) { /* already closed */ }
  }
  return result;
}

/** TURN URLs the server hands out, each with its credentials. */
function turnServers(iceServers) {
  const list = [];
  for (const server of iceServers || []) {
    const urls = Array.isArray(server.urls) ? server.urls : [server.urls];
    for (const u of urls) {
      if (/^turns?:/.test(u)) list.push({url: u, username: server.username, credential: server.credential});
    }
  }
  return list;
}

const overUdp = (turnUrl) => /^turn:/.test(turnUrl) && !/transport=tcp/.test(turnUrl);

/** What works, in plain words, from the results of every path. */
export function verdict(results) {
  const udp = results.find((r) => r.name === 'UDP');
  const tcp = results.find((r) => r.name === 'TCP (ICE-TCP)');
  const turns = results.filter((r) => r.turn);
  const workingTurns = turns.filter((r) => r.ok);
  const lines = [];
  if (udp && udp.ok) {
    lines.push('UDP works: calls take the direct, fastest path.');
  } else if (tcp && tcp.ok) {
    lines.push('UDP blocked on this network: ICE-TCP works, so calls connect over TCP (with more delay when '
      + 'packets are lost). Configure TURN over TLS on port 443 for networks that block both.');
  } else if (workingTurns.length) {
    lines.push('Direct connections to the media server are blocked on this network: calls work through TURN ('
      + workingTurns.map((r) => r.turn).join(', ') + ').');
  } else {
    lines.push('No path to the media server works from this network. The server\'s UDP media port (and its '
      + 'TCP port for ICE-TCP) must be reachable, or configure a TURN server over TLS on port 443.');
  }
  for (const r of turns) {
    if (!r.ok && !r.skipped) {
      lines.push(`TURN at ${r.turn} failed (${r.error}): check that it runs and is reachable, and that the `
        + 'server\'s SFU_TURN_SECRET matches its static-auth-secret.');
    }
  }
  if (!turns.length && !(udp && udp.ok)) {
    lines.push('This server offers no TURN server: configure one (SFU_ICE_SERVERS, SFU_TURN_SECRET) for '
      + 'networks that block UDP.');
  }
  return lines;
}

function show(r) {
  const row = document.createElement('tr');
  const cells = [r.name, r.ok ? 'works' : r.skipped ? 'not tried' : 'fails',
    r.rttMs != null ? `${r.rttMs} ms` : '', r.kbps ? `${(r.kbps / 1000).toFixed(1)} Mbit/s` : '',
    r.ok ? `${r.localType || ''} ${r.relayProtocol || r.protocol || ''}`.trim() : (r.error || '')];
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    row.appendChild(td);
  }
  row.className = r.ok ? 'ok' : 'failed';
  $('results').tBodies[0].appendChild(row);
}

async function run() {
  const results = [];
  const noUdp = () => false;
  const direct = (c) => / udp /i.test(c) && !/ typ relay/i.test(c);
  const udp = await attempt('UDP', {iceServers: [], candidateFilter: blockUdp ? noUdp : direct});
  results.push(udp);
  show(udp);
  const tcp = await attempt('TCP (ICE-TCP)', {iceServers: [], tcpOnly: true});
  results.push(tcp);
  show(tcp);
  for (const t of turnServers(udp.iceServers)) {
    let r;
    if (blockUdp && overUdp(t.url)) {
      r = {name: `TURN ${t.url}`, turn: t.url, ok: false, skipped: true, error: 'UDP is blocked'};
    } else {
      r = await attempt(`TURN ${t.url}`, {iceTransportPolicy: 'relay',
        iceServers: [{urls: [t.url], username: t.username, credential: t.credential}]});
      r.turn = t.url;
    }
    results.push(r);
    show(r);
  }
  const lines = verdict(results);
  for (const line of lines) {
    const p = document.createElement('p');
    p.textContent = line;
    $('verdict').appendChild(p);
  }
  $('status').textContent = 'done';
  window.checkResult = {done: true, results: results.map(({iceServers, ...r}) => r), verdict: lines};
}

run().catch((e) => {
  $('status').textContent = 'the check itself failed: ' + e.message;
  window.checkResult = {done: true, results: [], verdict: [], error: e.message};
});
