// sfu-client.js — a reusable client for the SFU's signaling API v1 (docs/signaling-protocol.md).
//
//   const client = new SfuClient(`ws://${location.host}/ws`);
//   client.addEventListener('track', e => ...);      // {endpointId, kind, track, stream, mid}
//   await client.join('room', 'Ada');
//   await client.publish(await navigator.mediaDevices.getUserMedia({audio: true, video: true}));
//
//   const chat = await client.openDataChannel('chat');                // to everyone in the room
//   client.addEventListener('message', e => ...);     // {endpointId, label, data, channel}
//
// Events: joined, participantjoined, participantleft, track, trackended, dominantspeaker, closed, error,
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
    this.published = [];             // [{stream, simulcast}]: republished after a rejoin
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
        ws.onerror = () => reject(new Error('cannot reach the server at ' + this.url));
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
      for (const {reject} of this.pending.values()) reject(new Error('connection closed'));
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
    for (const {stream, simulcast} of this.published) await this.addTracks(stream, simulcast);
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
      if (m.type === 'error') reject(Object.assign(new Error(m.message), {code: m.code}));
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
        this.emit('trackmuted', {...m, kind: info ? info.kind : undefined});
        break;
      }
      // The server removed us (kicked, conference closed, the same identity joined elsewhere): no resume.
      case 'removed': this.leaving = true; this.session = null; this.emit('removed', m); break;
      case 'error': this.emit('error', Object.assign(new Error(m.message), {code: m.code})); break;
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
      if (redirects === MAX_REDIRECTS) throw new Error('too many redirects');
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
        this.negotiatePublish().catch((e) => this.emit('error', {message: 'ICE restart failed: ' + e.message}));
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
      switch (pc.connectionState) {
        case 'connected': cancel(); restarted = false; break;
        case 'closed': cancel(); break;
        case 'disconnected':
          if (!timer && !restarted) {
            timer = setTimeout(() => {
              timer = null;
              if (pc.connectionState === 'disconnected') restartOnce();
            }, RESTART_AFTER_DISCONNECTED_MS);
          }
          break;
        case 'failed': restartOnce(); break;
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
   * options.simulcast is false or the camera is too small for them.
   */
  async publish(stream, {simulcast = true} = {}) {
    this.published.push({stream, simulcast});
    await this.addTracks(stream, simulcast);
    await this.negotiatePublish();
  }

  async addTracks(stream, simulcast) {
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
      pc.addTransceiver(track, init);
    }
  }

  async negotiatePublish() {
    const pc = this.publishPc;
    await pc.setLocalDescription(await pc.createOffer());
    const answer = await this.request({type: 'offer', transport: 'publish', sdp: this.filterSdp(pc.localDescription.sdp)});
    await pc.setRemoteDescription({type: 'answer', sdp: this.filterSdp(answer.sdp)});
  }

  /** Replaces the camera track (e.g. with a screen share; null: send no video) without renegotiating. */
  async replaceVideo(track) {
    // By the transceiver's kind: a sender whose track was replaced by null has none to ask.
    const t = this.publishPc && this.publishPc.getTransceivers().find((x) => x.mid && x.receiver.track.kind === 'video');
    if (t) await t.sender.replaceTrack(track);
  }

  /**
   * Mutes or unmutes what we send of one kind, and tells the server, which stops forwarding it and tells
   * everyone (trackmuted). With no local track (a camera turned off by replaceVideo(null)) only the
   * signal goes.
   */
  setMuted(kind, muted) {
    if (!this.publishPc) return;
    for (const t of this.publishPc.getTransceivers()) {
      if (!t.mid || t.receiver.track.kind !== kind || t.direction === 'inactive') continue;
      if (t.sender.track) t.sender.track.enabled = !muted;
      this.mute(this.publishedTrackId(t.mid), muted);
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
    for (const [mid, info] of announced) this.midToTrack.set(mid, info);
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
      muted: !!info.muted, source: info.source});
  }

  /** Asks for lower video: maxHeight for everyone, or per endpoint. */
  setReceiverConstraints(defaultMaxHeight, endpoints = {}) {
    this.send({type: 'receiverConstraints', defaultMaxHeight, endpoints});
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
