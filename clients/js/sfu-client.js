// sfu-client.js — a reusable client for the SFU's signaling API v1 (docs/signaling-protocol.md).
// The npm package @sfu/client (clients/js in the SFU's repository); the server serves this same file as
// /sfu-client.js. Types: sfu-client.d.ts. Reference: docs/client.md.
//
//   const client = new SfuClient(`ws://${location.host}/ws`);
//   client.addEventListener('track', e => ...);      // {endpointId, kind, source, track, mid, trackId}
//   await client.join('room', 'Ada');
//   await client.publish(await getMedia({audio: true, video: true}));
//   await client.publish(await navigator.mediaDevices.getDisplayMedia({video: true}), {source: 'screen'});
//
//   const chat = await client.openDataChannel('chat');                // to everyone in the room
//   client.addEventListener('message', e => ...);     // {endpointId, label, data, channel}
//
// Events: joined, participantjoined, participantleft, track, trackended (both with source), trackmuted,
// dominantspeaker, connectionstatechange ({transport, state}), closed, error (an SfuError with a code),
// redirect ({url}: a draining server sends us to another node; join anew), removed ({reason}),
// datachannel ({endpointId, label, channel}: another participant's channel reached us), message,
// datachannelclosed ({endpointId, label}), reconnecting ({attempt}), resumed, rejoined.
// A WebSocket that drops (no close frame) is reconnected with backoff and the session resumed: the
// endpoint, its connections and its media go on. When the server refuses (the grace period passed), the
// client joins anew by itself, republishes what it published and emits 'rejoined' (data channels are
// the application's to open again).
// Two RTCPeerConnections: "publish" (we offer) and "subscribe" (the server offers, we answer).
// Options: iceTransportPolicy ('relay': TURN only), tcpOnly (true: ICE-TCP only, as if UDP were blocked),
// candidateFilter (a=candidate line => bool: which candidates may be used, ours and the server's),
// iceServers (used instead of the server's list; the connectivity check tries one TURN server at a time).

/** How long a connection may stay 'disconnected' before the client restarts ICE (see watchConnection). */
export const RESTART_AFTER_DISCONNECTED_MS = 3000;
/** Delays between attempts to reconnect a dropped WebSocket; the last one repeats until GIVE_UP_MS. */
export const RECONNECT_DELAYS_MS = [0, 250, 500, 1000, 2000];
/** Past this (the server's grace period is 15 s by default), a dropped client stops trying and is closed. */
export const GIVE_UP_MS = 30000;
/** Close codes after which the session is worth resuming: the connection died, not the session. */
const RESUMABLE_CLOSE_CODES = new Set([1001, 1006, 1011, 1012, 1013, 1014]);

/** Redirects (docs/signaling-protocol.md, "Clusters") a join follows in a row. */
export const MAX_REDIRECTS = 3;
/** A connection that has not connected this long after it was created reports 'ice-failed'. */
export const ICE_FAILED_AFTER_MS = 15000;

/** What a participant's track shows: a publish offer names each m-line's source (protocol, "Sources and mute"). */
export const SOURCES = ['camera', 'microphone', 'screen', 'screen-audio'];

/**
 * What each error code means, in words for the person in front of the page. Codes of the server
 * (docs/signaling-protocol.md) and of the client (devices, network).
 */
export const ERROR_MESSAGES = {
  'permission-denied': 'The browser was not allowed to use the camera or microphone. Allow it in the address bar and try again.',
  'no-device': 'No camera or microphone was found. Connect one, or pick another in the device lists.',
  'device-in-use': 'The camera or microphone is in use by another application, or could not be started.',
  'screen-share-cancelled': 'Screen sharing was cancelled or not allowed.',
  'server-unreachable': 'The server cannot be reached. Check the address and your network connection.',
  'ice-failed': 'The media connection could not be set up: UDP is probably blocked on this network. Try TURN or ICE-TCP (ask whoever runs the server).',
  'connection-lost': 'The connection to the server was lost and could not be restored.',
  'too-many-redirects': 'The server kept sending us elsewhere. Try again later.',
  'unauthorized': 'You are not allowed to join this room: the access token is missing, wrong or expired.',
  'conference-full': 'This room is full.',
  'room-full': 'This room is full.',
  'unavailable': 'The service cannot start this room right now. Try again in a moment.',
  'bad-request': 'The server did not accept the request.',
  'not-joined': 'The session is over: join again.',
  'sdp-rejected': 'The server could not use what this browser offered (camera, microphone or codecs).',
  'internal': 'The server ran into a problem. Try again.',
  'media-error': 'The camera or microphone could not be used.',
};

/** An Error with a protocol or client error `code` and a plain `message` (from ERROR_MESSAGES where the code is known). */
export class SfuError extends Error {
  constructor(code, message, detail) {
    super(message || ERROR_MESSAGES[code] || 'Something went wrong.');
    this.name = 'SfuError';
    this.code = code;
    if (detail !== undefined) this.detail = detail;
  }
}

/**
 * The plain message for an error: an SfuError's own, else the one its code names, else a generic one. Never a
 * stack or an exception class name: what a person can act on.
 */
export function describeError(error) {
  // The server says what it did not accept (a room name, a field); its messages never carry class names.
  if (error instanceof SfuError && error.code === 'bad-request' && error.message && error.message !== ERROR_MESSAGES[error.code]) {
    return `The server did not accept the request: ${error.message}`;
  }
  if (error && ERROR_MESSAGES[error.code]) return ERROR_MESSAGES[error.code];
  if (error instanceof SfuError) return error.message;
  if (error && error.name && /^(NotAllowed|NotFound|NotReadable|Overconstrained)Error$/.test(error.name)) return mediaError(error).message;
  return 'Something went wrong.';
}

/** A getUserMedia/getDisplayMedia failure (a DOMException) as an SfuError with a code. */
export function mediaError(e, screen = false) {
  if (e instanceof SfuError) return e;
  const name = e && e.name;
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'AbortError') {
    return new SfuError(screen ? 'screen-share-cancelled' : 'permission-denied', undefined, e.message);
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return new SfuError('no-device', undefined, e.message);
  if (name === 'NotReadableError' || name === 'TrackStartError') return new SfuError('device-in-use', undefined, e.message);
  return new SfuError('media-error', undefined, e && e.message);
}

/** getUserMedia whose failures are SfuErrors with a code (permission-denied, no-device, device-in-use). */
export async function getMedia(constraints) {
  try {
    return await navigator.mediaDevices.getUserMedia(constraints);
  } catch (e) {
    throw mediaError(e);
  }
}

/** getDisplayMedia whose failures are SfuErrors (screen-share-cancelled, ...). */
export async function getScreen(constraints = {video: true}) {
  try {
    return await navigator.mediaDevices.getDisplayMedia(constraints);
  } catch (e) {
    throw mediaError(e, true);
  }
}

/** url with ?conference=NAME, unless it names one already (a redirect's URL does). */
export function withConference(url, conference) {
  const u = new URL(url);
  if (!u.searchParams.has('conference')) u.searchParams.set('conference', conference);
  return u.toString();
}

export class SfuClient extends EventTarget {
  constructor(url, options = {}) {
    super();
    this.url = url;
    this.options = options;
    this.ws = null;
    this.nextId = 1;
    this.pending = new Map();
    this.endpointId = null;
    this.iceServers = [];
    this.participants = new Map();
    this.publishPc = null;
    this.subscribePc = null;
    this.midToTrack = new Map();     // mid -> {endpointId, kind, trackId}
    this.liveByMid = new Map();      // mid -> trackId currently announced
    this.subscribeChain = Promise.resolve();
    this.publishHasData = false;
    this.session = null;             // {conference, displayName, token, resumeToken} while joined
    this.published = [];             // [{stream, simulcast, source}]: republished after a rejoin
    this.sourceByTransceiver = new WeakMap(); // our publish transceivers -> source (camera, screen, ...)
    this.receiverConstraints = null; // the last receiverConstraints sent: {defaultMaxHeight, endpoints}
    this.restarters = new Map();     // transport -> its ICE restart, for after a resume
    this.leaving = false;
  }

  // ---- signaling ----

  async connect() {
    if (this.ws) return;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    try {
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new SfuError('server-unreachable', undefined, this.url));
      });
    } catch (e) {
      if (this.ws === ws) this.ws = null;
      throw e;
    }
    ws.onmessage = (e) => this.onMessage(JSON.parse(e.data), ws);
    ws.onclose = (e) => {
      // The join goes on at the node a redirect named, or this is a socket we replaced.
      if (ws.redirected || this.ws !== ws) return;
      this.ws = null;
      for (const {reject} of this.pending.values()) reject(new SfuError('connection-lost'));
      this.pending.clear();
      if (!this.leaving && this.session && this.session.resumeToken && RESUMABLE_CLOSE_CODES.has(e.code)) {
        this.reconnect();
      } else {
        this.emit('closed', {code: e.code, reason: e.reason});
      }
    };
  }

  /**
   * The WebSocket dropped while joined: reconnect with backoff and resume the session (the server kept
   * the endpoint and its media); if the server no longer knows it, join anew. Connections whose ICE broke
   * meanwhile (a new network) are restarted once signaling is back.
   */
  async reconnect() {
    const started = performance.now();
    for (let attempt = 0; !this.leaving; attempt++) {
      const delay = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)];
      if (performance.now() + delay - started > GIVE_UP_MS) break;
      this.emit('reconnecting', {attempt: attempt + 1});
      await new Promise((r) => setTimeout(r, delay));
      try {
        await this.connect();
      } catch (e) {
        continue; // unreachable: try again
      }
      try {
        const resumed = await this.request({type: 'resume', endpointId: this.endpointId, resumeToken: this.session.resumeToken});
        this.syncParticipants(resumed.participants);
        this.emit('resumed', resumed);
        for (const [transport, restart] of this.restarters) {
          const pc = transport === 'publish' ? this.publishPc : this.subscribePc;
          if (pc && (pc.connectionState === 'disconnected' || pc.connectionState === 'failed')) restart();
        }
        return;
      } catch (e) {
        if (e.code === 'not-joined') {
          await this.rejoin().catch((err) => this.emit('error', err));
          return;
        }
        // the new socket dropped too: go round again
      }
    }
    if (!this.leaving) this.emit('closed', {code: 1006, reason: 'the server could not be reached again'});
  }

  /** Joins anew after a refused resume: a new endpoint, the same conference, the same published media. */
  async rejoin() {
    const {conference, displayName, token} = this.session;
    for (const pc of [this.publishPc, this.subscribePc]) if (pc) pc.close();
    this.publishPc = this.subscribePc = null;
    this.publishHasData = false;
    for (const [mid, info] of this.midToTrack) this.emit('trackended', {mid, ...info});
    this.midToTrack.clear();
    this.liveByMid.clear();
    for (const endpointId of [...this.participants.keys()]) {
      this.participants.delete(endpointId);
      this.emit('participantleft', {endpointId});
    }
    this.subscribeChain = Promise.resolve();
    const joined = await this.join(conference, displayName, token);
    // A new endpoint starts unconstrained: ask again for what we asked before.
    if (this.receiverConstraints) {
      const {defaultMaxHeight, endpoints} = this.receiverConstraints;
      this.setReceiverConstraints(defaultMaxHeight, endpoints);
    }
    for (const {stream, simulcast, source} of this.published) await this.addTracks(stream, simulcast, source);
    if (this.published.length) await this.negotiatePublish();
    this.emit('rejoined', joined);
  }

  /** Brings the participant list up to a server's full list, with the events for what changed. */
  syncParticipants(list) {
    const now = new Map(list.map((p) => [p.endpointId, p.displayName]));
    for (const endpointId of [...this.participants.keys()]) {
      if (!now.has(endpointId)) {
        this.participants.delete(endpointId);
        this.emit('participantleft', {endpointId});
      }
    }
    for (const [endpointId, displayName] of now) {
      if (!this.participants.has(endpointId)) {
        this.participants.set(endpointId, displayName);
        this.emit('participantjoined', {endpointId, displayName});
      }
    }
  }

  request(message) {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({...message, id}));
    return new Promise((resolve, reject) => this.pending.set(id, {resolve, reject}));
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, {detail}));
  }

  onMessage(m, ws) {
    // The reply to a join on a node that does not hold the conference: its close is expected.
    if (m.type === 'redirect' && m.id !== undefined && ws) ws.redirected = true;
    if (m.id !== undefined && this.pending.has(m.id)) {
      const {resolve, reject} = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.type === 'error') reject(new SfuError(m.code, m.message));
      else resolve(m);
      return;
    }
    switch (m.type) {
      case 'offer': this.subscribeChain = this.subscribeChain.then(() => this.onSubscribeOffer(m)).catch((e) => this.emit('error', e)); break;
      case 'candidate': this.onServerCandidate(m); break;
      case 'participantJoined':
        this.participants.set(m.endpointId, m.displayName);
        this.emit('participantjoined', m);
        break;
      case 'participantLeft':
        this.participants.delete(m.endpointId);
        this.emit('participantleft', m);
        break;
      case 'dominantSpeaker': this.emit('dominantspeaker', m); break;
      case 'trackMuted': {
        // With the kind of the track, when it is one we receive.
        const info = [...this.midToTrack.values()].find((t) => t.trackId === m.trackId);
        this.emit('trackmuted', {...m, kind: info ? info.kind : undefined, source: info ? info.source : undefined});
        break;
      }
      // The server removed us (kicked, conference closed, the same identity joined elsewhere): no resume.
      case 'removed': this.leaving = true; this.session = null; this.emit('removed', m); break;
      case 'error': this.emit('error', new SfuError(m.code, m.message)); break;
      // A draining node's deadline: join anew at m.url (the page does, see app.js).
      case 'redirect': if (ws) ws.redirected = true; this.emit('redirect', {url: m.url}); break;
      default: break;
    }
  }

  async join(conference, displayName, token) {
    this.leaving = false;
    // The conference rides in the URL too, so a load balancer can keep it on one node.
    this.url = withConference(this.url, conference);
    let joined;
    for (let redirects = 0; ; redirects++) {
      await this.connect();
      joined = await this.request({type: 'join', conference, displayName, ...(token ? {token} : {})});
      if (joined.type !== 'redirect') break;
      // Another node holds the conference: the same join there, at most MAX_REDIRECTS times in a row.
      if (redirects === MAX_REDIRECTS) throw new SfuError('too-many-redirects');
      this.ws.close();
      this.ws = null;
      this.url = joined.url;
    }
    this.endpointId = joined.endpointId;
    this.session = {conference, displayName, token, resumeToken: joined.resumeToken};
    this.iceServers = joined.iceServers || [];
    for (const p of joined.participants) this.participants.set(p.endpointId, p.displayName);
    this.emit('joined', joined);
    return joined;
  }

  /** Mutes or unmutes one of our published tracks on the server (the others get trackMuted). */
  mute(trackId, muted) {
    this.send({type: 'mute', trackId, muted: !!muted});
  }

  leave() {
    this.leaving = true;
    this.session = null;
    this.send({type: 'leave'});
    for (const pc of [this.publishPc, this.subscribePc]) if (pc) pc.close();
    this.publishPc = this.subscribePc = null;
    if (this.ws) this.ws.close();
    this.ws = null;
  }

  newPeerConnection(transport) {
    const pc = new RTCPeerConnection({
      iceServers: this.options.iceServers || this.iceServers,
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
      ...(this.options.iceTransportPolicy ? {iceTransportPolicy: this.options.iceTransportPolicy} : {}),
    });
    // ICE restart when the network path breaks (RFC 8839): the publish side re-offers with new
    // credentials, the subscribe side asks the server, whose next offer carries new ones.
    this.watchConnection(pc, transport, () => {
      if (transport === 'publish') {
        pc.restartIce();
        this.negotiatePublish().catch((e) => this.emit('error', e instanceof SfuError ? e : new SfuError('ice-failed', undefined, e.message)));
      } else {
        this.send({type: 'restartIce', transport: 'subscribe'});
      }
    });
    // The server opens a channel towards us per (participant, channel) it relays, its protocol naming the sender.
    if (transport === 'publish') pc.ondatachannel = (e) => this.onRelayedChannel(e.channel);
    pc.onicecandidate = (e) => {
      if (e.candidate && !this.usable(e.candidate.candidate)) return;
      this.send({
        type: 'candidate', transport,
        candidate: e.candidate ? e.candidate.candidate : null,
        sdpMid: e.candidate ? e.candidate.sdpMid : null,
        sdpMLineIndex: e.candidate ? e.candidate.sdpMLineIndex : null,
      });
    };
    return pc;
  }

  /**
   * Calls restart() when pc's connection has stayed 'disconnected' for RESTART_AFTER_DISCONNECTED_MS, or at
   * once on 'failed': at most once per episode, which ends when the connection is 'connected' again.
   * Waiting for 'failed' alone is too late: Chromium reports it after ~30 s, the same time after which the
   * server's consent check (SFU_CONSENT_TIMEOUT_SECONDS) drops the endpoint. A short 'disconnected' that
   * heals by itself (within the delay) restarts nothing.
   */
  watchConnection(pc, transport, restart) {
    let timer = null;
    let restarted = false;
    // A connection that never connects is most often UDP blocked on the way: say so once, plainly.
    let everConnected = false;
    let reported = false;
    const reportFailure = () => {
      if (everConnected || reported || pc.connectionState === 'closed') return;
      reported = true;
      this.emit('error', new SfuError('ice-failed', undefined, transport));
    };
    const failTimer = setTimeout(reportFailure, this.options.iceFailedAfterMs || ICE_FAILED_AFTER_MS);
    const cancel = () => { clearTimeout(timer); timer = null; };
    const restartOnce = () => {
      cancel();
      if (restarted || !this.ws) return;
      restarted = true;
      restart();
    };
    // Signaling may be down when the connection breaks (one network change cuts both): after a resume,
    // reconnect() restarts what is still broken.
    this.restarters.set(transport, () => { if (this.ws) { restarted = true; cancel(); restart(); } });
    pc.onconnectionstatechange = () => {
      this.emit('connectionstatechange', {transport, state: pc.connectionState});
      switch (pc.connectionState) {
        case 'connected': cancel(); restarted = false; everConnected = true; clearTimeout(failTimer); break;
        case 'closed': cancel(); clearTimeout(failTimer); break;
        case 'disconnected':
          if (!timer && !restarted) {
            timer = setTimeout(() => {
              timer = null;
              if (pc.connectionState === 'disconnected') restartOnce();
            }, RESTART_AFTER_DISCONNECTED_MS);
          }
          break;
        case 'failed': reportFailure(); restartOnce(); break;
        default: break; // new, connecting: a timer running since 'disconnected' checks the state again
      }
    };
  }

  /** With options.tcpOnly only TCP candidates are used, ours and the server's: UDP "is blocked". */
  usable(candidate) {
    if (this.options.candidateFilter) return this.options.candidateFilter(candidate);
    return !this.options.tcpOnly || / tcp /i.test(candidate);
  }

  /** The SDP without the candidates that options.tcpOnly rules out. */
  filterSdp(sdp) {
    if (!this.options.tcpOnly && !this.options.candidateFilter) return sdp;
    return sdp.split('\r\n').filter((l) => !l.startsWith('a=candidate:') || this.usable(l)).join('\r\n');
  }

  onServerCandidate(m) {
    const pc = m.transport === 'publish' ? this.publishPc : this.subscribePc;
    if (pc && m.candidate && this.usable(m.candidate)) pc.addIceCandidate({candidate: m.candidate, sdpMid: m.sdpMid, sdpMLineIndex: m.sdpMLineIndex}).catch(() => {});
  }

  // ---- publishing ----

  /**
   * Publishes a stream's tracks. Video is sent with three simulcast layers (rids q, h, f) unless
   * options.simulcast is false or the picture is too small for them. options.source says what the stream
   * is: 'camera' (the default: its audio is the 'microphone') or 'screen' (its audio is 'screen-audio');
   * every other participant sees it on the track's `source`. A camera and a screen go as separate tracks.
   */
  async publish(stream, {simulcast = true, source = 'camera'} = {}) {
    this.published.push({stream, simulcast, source});
    await this.addTracks(stream, simulcast, source);
    await this.negotiatePublish();
  }

  /** Stops publishing a stream given to publish() (e.g. a screen share that ended); its tracks are not stopped. */
  async unpublish(stream) {
    const i = this.published.findIndex((p) => p.stream === stream);
    if (i < 0 || !this.publishPc) return;
    this.published.splice(i, 1);
    const pc = this.publishPc;
    for (const t of pc.getTransceivers()) {
      if (t.streamOf === stream && t.direction !== 'inactive' && !t.stopped) {
        pc.removeTrack(t.sender);
        this.sourceByTransceiver.delete(t);
      }
    }
    await this.negotiatePublish();
  }

  /** The source our track of `kind` has when the stream is published as `source`. */
  static sourceOf(kind, source) {
    const screen = source === 'screen' || source === 'screen-audio';
    if (kind === 'audio') return screen ? 'screen-audio' : 'microphone';
    return screen ? 'screen' : 'camera';
  }

  async addTracks(stream, simulcast, source = 'camera') {
    if (!this.publishPc) this.publishPc = this.newPeerConnection('publish');
    const pc = this.publishPc;
    for (const track of stream.getTracks()) {
      const init = {direction: 'sendonly', streams: [stream]};
      const height = track.kind === 'video' ? (track.getSettings().height || 0) : 0;
      if (track.kind === 'video' && simulcast && height >= 360) {
        init.sendEncodings = [
          {rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000},
          {rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000},
          {rid: 'f', maxBitrate: 1_500_000},
        ];
      }
      const t = pc.addTransceiver(track, init);
      t.streamOf = stream;
      this.sourceByTransceiver.set(t, SfuClient.sourceOf(track.kind, source));
    }
  }

  /** Our sending transceivers with their mid and source: [{mid, kind, source, trackId, track, transceiver}]. */
  localTracks() {
    if (!this.publishPc) return [];
    return this.publishPc.getTransceivers()
        .filter((t) => this.sourceByTransceiver.has(t) && t.direction !== 'inactive' && !t.stopped)
        .map((t) => ({mid: t.mid, kind: t.receiver.track.kind, source: this.sourceByTransceiver.get(t),
          trackId: t.mid ? this.publishedTrackId(t.mid) : null, track: t.sender.track, transceiver: t}));
  }

  async negotiatePublish() {
    const pc = this.publishPc;
    await pc.setLocalDescription(await pc.createOffer());
    // Which m-line carries what (protocol, "Sources and mute"): the others see it on each track's source.
    const sources = {};
    for (const t of this.localTracks()) if (t.mid) sources[t.mid] = t.source;
    const answer = await this.request({type: 'offer', transport: 'publish', sdp: this.filterSdp(pc.localDescription.sdp),
      ...(Object.keys(sources).length ? {sources} : {})});
    await pc.setRemoteDescription({type: 'answer', sdp: this.filterSdp(answer.sdp)});
  }

  /** Replaces the track we send for one source (null: send nothing) without renegotiating. */
  async replaceTrack(source, track) {
    // By the transceiver's source: a sender whose track was replaced by null has none to ask.
    const t = this.localTracks().find((x) => x.mid && x.source === source);
    if (t) await t.transceiver.sender.replaceTrack(track);
  }

  /** Replaces the camera track (null: send no video) without renegotiating. */
  async replaceVideo(track) {
    await this.replaceTrack('camera', track);
  }

  /**
   * Mutes or unmutes what we send: `what` is a kind ('audio': the microphone, 'video': the camera) or a
   * source ('screen', ...). Disables the local track and tells the server, which stops forwarding it and
   * tells everyone (trackmuted). With no local track (a camera turned off by replaceVideo(null)) only the
   * signal goes.
   */
  setMuted(what, muted) {
    const source = what === 'audio' ? 'microphone' : what === 'video' ? 'camera' : what;
    for (const t of this.localTracks()) {
      if (!t.mid || t.source !== source) continue;
      if (t.track) t.track.enabled = !muted;
      this.mute(t.trackId, muted);
    }
  }

  /** The server's id of the track a publish m-section carries: endpointId-mid (what others see in `tracks`). */
  publishedTrackId(mid) {
    return `${this.endpointId}-${mid}`;
  }

  // ---- data channels ----

  /**
   * Opens a data channel to the room: what it sends reaches every other participant, on a channel with the
   * same label and reliability (options as RTCDataChannelInit: ordered, maxRetransmits, maxPacketLifeTime).
   * Data rides the publish connection; a watch-only client gets one carrying data alone. The first channel
   * renegotiates so that the offer carries the data section.
   */
  async openDataChannel(label, options = {}) {
    if (!this.publishPc) this.publishPc = this.newPeerConnection('publish');
    const channel = this.publishPc.createDataChannel(label, options);
    channel.binaryType = 'arraybuffer';
    if (!this.publishHasData) {
      this.publishHasData = true;
      await this.negotiatePublish();
    }
    if (channel.readyState !== 'open') {
      await new Promise((resolve, reject) => {
        channel.addEventListener('open', resolve, {once: true});
        channel.addEventListener('close', () => reject(new Error('data channel closed before it opened')), {once: true});
      });
    }
    return channel;
  }

  onRelayedChannel(channel) {
    channel.binaryType = 'arraybuffer';
    const endpointId = channel.protocol;
    const label = channel.label;
    this.emit('datachannel', {endpointId, label, channel});
    channel.onmessage = (e) => this.emit('message', {endpointId, label, data: e.data, channel});
    channel.onclose = () => this.emit('datachannelclosed', {endpointId, label});
  }

  // ---- subscribing ----

  async onSubscribeOffer(m) {
    if (!this.subscribePc) {
      this.subscribePc = this.newPeerConnection('subscribe');
      this.subscribePc.ontrack = (e) => this.onRemoteTrack(e);
    }
    const pc = this.subscribePc;
    const announced = new Map(m.tracks.map((t) => [t.mid, t]));
    // Tracks whose m-line went inactive or carries another track now have ended.
    for (const [mid, info] of this.midToTrack) {
      const now = announced.get(mid);
      if (!now || now.trackId !== info.trackId) {
        this.midToTrack.delete(mid);
        this.liveByMid.delete(mid);
        this.emit('trackended', {mid, ...info});
      }
    }
    for (const [mid, info] of announced) {
      this.midToTrack.set(mid, {...info, source: info.source || (info.kind === 'audio' ? 'microphone' : 'camera')});
    }
    await pc.setRemoteDescription({type: 'offer', sdp: this.filterSdp(m.sdp)});
    await pc.setLocalDescription(await pc.createAnswer());
    this.send({type: 'answer', transport: 'subscribe', sdp: this.filterSdp(pc.localDescription.sdp)});
    // An m-line reused for a new track fires no new ontrack: announce it from its transceiver.
    for (const t of pc.getTransceivers()) {
      const info = this.midToTrack.get(t.mid);
      if (info && this.liveByMid.get(t.mid) !== info.trackId && t.receiver.track) {
        this.announce(t.mid, t.receiver.track);
      }
    }
  }

  onRemoteTrack(e) {
    const mid = e.transceiver.mid;
    if (this.midToTrack.has(mid) && this.liveByMid.get(mid) !== this.midToTrack.get(mid).trackId) {
      this.announce(mid, e.track);
    }
  }

  announce(mid, track) {
    const info = this.midToTrack.get(mid);
    this.liveByMid.set(mid, info.trackId);
    this.emit('track', {mid, endpointId: info.endpointId, kind: info.kind, trackId: info.trackId, track,
      muted: !!info.muted, source: info.source || (info.kind === 'audio' ? 'microphone' : 'camera')});
  }

  /**
   * Asks for lower video: maxHeight for everyone, or per endpoint ({endpointId: maxHeight}); 0 = no video.
   * The server forwards the highest simulcast layer that fits. Sent again after a resume.
   */
  setReceiverConstraints(defaultMaxHeight, endpoints = {}) {
    this.receiverConstraints = {defaultMaxHeight, endpoints: {...endpoints}};
    this.send({type: 'receiverConstraints', defaultMaxHeight, endpoints});
  }

  /**
   * Per remote track, what a quality badge shows: a Map of trackId to {mid, endpointId, kind, source,
   * bytesReceived, packetsReceived, packetsLost, framesDecoded, width, height, fps, rtt (s, of the subscribe
   * connection), and since `previous` (an earlier result): bitrate (bit/s) and loss (%)}.
   */
  async trackStats(previous) {
    const result = new Map();
    result.time = performance.now();
    const pc = this.subscribePc;
    if (!pc) return result;
    const midByTrack = new Map(pc.getTransceivers().map((t) => [t.receiver.track && t.receiver.track.id, t.mid]));
    const report = await pc.getStats();
    let rtt;
    report.forEach((s) => {
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && s.currentRoundTripTime !== undefined) rtt = s.currentRoundTripTime;
    });
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      const mid = s.mid !== undefined ? s.mid : midByTrack.get(s.trackIdentifier);
      const info = this.midToTrack.get(mid);
      if (!info) return;
      const now = {mid, endpointId: info.endpointId, kind: info.kind, source: info.source, trackId: info.trackId,
        bytesReceived: s.bytesReceived || 0, packetsReceived: s.packetsReceived || 0, packetsLost: s.packetsLost || 0,
        framesDecoded: s.framesDecoded || 0, framesReceived: s.framesReceived || 0, width: s.frameWidth || 0, height: s.frameHeight || 0,
        fps: s.framesPerSecond || 0, rtt};
      const before = previous && previous.get(info.trackId);
      if (before) {
        const seconds = (result.time - previous.time) / 1000;
        now.bitrate = seconds > 0 ? Math.max(0, 8 * (now.bytesReceived - before.bytesReceived) / seconds) : 0;
        const received = now.packetsReceived - before.packetsReceived;
        const lost = Math.max(0, now.packetsLost - before.packetsLost);
        now.loss = received + lost > 0 ? 100 * lost / (received + lost) : 0;
      }
      result.set(info.trackId, now);
    });
    return result;
  }

  /** Inbound/outbound totals for a stats overlay: bitrate (bps), resolution and loss. */
  async stats(previous) {
    const result = {time: performance.now(), bytesIn: 0, bytesOut: 0, lost: 0, received: 0, width: 0, height: 0};
    for (const pc of [this.publishPc, this.subscribePc]) {
      if (!pc) continue;
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp') {
          result.bytesIn += s.bytesReceived || 0;
          result.lost += s.packetsLost || 0;
          result.received += s.packetsReceived || 0;
          if (s.kind === 'video' && s.frameHeight > result.height) { result.height = s.frameHeight; result.width = s.frameWidth; }
        } else if (s.type === 'outbound-rtp') {
          result.bytesOut += s.bytesSent || 0;
        }
      });
    }
    if (previous) {
      const seconds = (result.time - previous.time) / 1000;
      result.bitrateIn = seconds > 0 ? 8 * (result.bytesIn - previous.bytesIn) / seconds : 0;
      result.bitrateOut = seconds > 0 ? 8 * (result.bytesOut - previous.bytesOut) / seconds : 0;
    }
    return result;
  }
}
