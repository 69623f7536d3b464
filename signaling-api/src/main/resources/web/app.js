// The demo page: join from the form or at once with /?room=R&name=N&autojoin=1, publish camera and
// microphone, show every remote video track as a tile (<figure data-endpoint-id data-source> holding a
// <video data-endpoint-id data-source>): a participant's camera and screen are two tiles. Test knobs:
// &simulcast=0, &width=320, &relay=1 (ICE through TURN only), &tcp=1 (ICE-TCP only), &publish=0 (no media
// from us), &chat=0 (no data channel), &adaptive=0 (no receiverConstraints from the page), &token=T (passed
// to join, for a server that checks tokens). The chat panel is a data channel labelled "chat".
//
// Adaptive receiving: the page asks the server (receiverConstraints) for each participant's video no
// taller than its tiles are drawn, 0 for a participant none of whose tiles can be seen (scrolled away, or
// the page hidden), and a high maxHeight for the pinned tile (click a tile, or its Pin button).
import {SfuClient, describeError, getMedia, getScreen} from './sfu-client.js';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
/** Tiles by `${endpointId}|${source}`: source 'camera' (with the microphone's audio) or 'screen'. */
const tiles = new Map();
let client = null;
let localStream = null;
let screenStream = null;
let lastStats = null;
let lastTrackStats = null;
let chat = null;
let pinned = null; // the key of the pinned tile
const adaptive = params.get('adaptive') !== '0';

/** The heights the server can pick among (a 1280x720 camera's simulcast layers are 180, 360, 720). */
const HEIGHT_STEPS = [180, 360, 720, 1080];
/** What a participant not on screen yet gets until its tile is laid out. */
const DEFAULT_MAX_HEIGHT = 360;
const PINNED_MAX_HEIGHT = 1080;

if (params.get('room')) $('room').value = params.get('room');
if (params.get('name')) $('name').value = params.get('name');

function status(text) { $('status').textContent = text; }

/** Shows an error a person can act on (never a stack or a class name); null hides it. */
function showError(error) {
  const box = $('error');
  if (!error) { box.hidden = true; box.textContent = ''; delete box.dataset.code; return; }
  box.textContent = describeError(error);
  box.dataset.code = error.code || 'unknown';
  box.hidden = false;
}

const displayName = (endpointId) => (client && client.participants.get(endpointId)) || endpointId;
const SOURCE_LABELS = {camera: 'camera', screen: 'screen'};

// ---- tiles ----

const visibility = new IntersectionObserver((entries) => {
  for (const e of entries) {
    const t = tiles.get(e.target.dataset.key);
    if (t) t.visible = e.isIntersecting;
  }
  scheduleConstraints();
});
const resizes = new ResizeObserver(() => scheduleConstraints());

/** The tile that shows a remote track: the camera tile carries the microphone, the screen tile its audio. */
function tile(endpointId, source) {
  const tileSource = source === 'screen' || source === 'screen-audio' ? 'screen' : 'camera';
  const key = `${endpointId}|${tileSource}`;
  let t = tiles.get(key);
  if (t) return t;
  const figure = document.createElement('figure');
  figure.className = 'tile';
  figure.dataset.endpointId = endpointId;
  figure.dataset.source = tileSource;
  figure.dataset.key = key;
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true; // audio plays through its own element, so autoplay rules never block video
  video.dataset.endpointId = endpointId;
  video.dataset.source = tileSource;
  const stream = new MediaStream();
  video.srcObject = stream;
  const audio = document.createElement('audio');
  audio.autoplay = true;
  audio.srcObject = new MediaStream();
  const caption = document.createElement('figcaption');
  const name = document.createElement('span');
  name.className = 'name';
  const marks = document.createElement('span');
  marks.className = 'marks';
  const label = document.createElement('span');
  label.className = 'source-label';
  label.textContent = SOURCE_LABELS[tileSource];
  caption.append(name, marks, ' ', label);
  const quality = document.createElement('span');
  quality.className = 'quality';
  quality.setAttribute('role', 'status');
  const pin = document.createElement('button');
  pin.type = 'button';
  pin.className = 'pin';
  pin.textContent = 'Pin';
  pin.setAttribute('aria-pressed', 'false');
  pin.addEventListener('click', (e) => { e.stopPropagation(); togglePin(key); });
  figure.addEventListener('click', () => togglePin(key));
  figure.append(video, audio, caption, quality, pin);
  // The camera first, a participant's screen right after it.
  const after = tileSource === 'screen' && tiles.get(`${endpointId}|camera`);
  if (after) after.figure.after(figure); else $('grid').append(figure);
  t = {key, endpointId, source: tileSource, figure, video, stream, audio, caption, name, marks, label, quality, pin,
    visible: true};
  tiles.set(key, t);
  setName(t);
  if (speakerId && audio.setSinkId) audio.setSinkId(speakerId).catch(() => {});
  visibility.observe(figure);
  resizes.observe(figure);
  return t;
}

function setName(t) {
  const who = displayName(t.endpointId);
  t.name.textContent = who;
  t.video.setAttribute('aria-label', `${who}: ${SOURCE_LABELS[t.source]}`);
  t.pin.setAttribute('aria-label', `Pin ${who}'s ${SOURCE_LABELS[t.source]}`);
}

/** Marks a tile's audio or video as muted by its sender (data-audio-muted / data-video-muted). */
function showMuted(t, kind, muted) {
  t.figure.dataset[kind + 'Muted'] = muted ? 'true' : 'false';
  const marks = [t.figure.dataset.audioMuted === 'true' ? 'mic off' : '', t.figure.dataset.videoMuted === 'true' ? 'camera off' : '']
      .filter(Boolean);
  t.marks.textContent = marks.length ? ` (${marks.join(', ')})` : '';
}

function removeTile(key) {
  const t = tiles.get(key);
  if (!t) return;
  visibility.unobserve(t.figure);
  resizes.unobserve(t.figure);
  t.figure.remove();
  tiles.delete(key);
  if (pinned === key) togglePin(key);
  scheduleConstraints();
}

function removeParticipant(endpointId) {
  for (const t of [...tiles.values()]) if (t.endpointId === endpointId) removeTile(t.key);
}

/** Pin (or unpin) a tile: it takes the big area and asks for a high resolution; the others get small. */
function togglePin(key) {
  pinned = pinned === key || !tiles.has(key) ? null : key;
  for (const t of tiles.values()) {
    t.figure.classList.toggle('pinned', t.key === pinned);
    t.pin.setAttribute('aria-pressed', String(t.key === pinned));
    t.pin.textContent = t.key === pinned ? 'Unpin' : 'Pin';
  }
  $('grid').classList.toggle('has-pinned', pinned !== null);
  scheduleConstraints();
}

// ---- adaptive receiving ----

let constraintsTimer = null;
let sentConstraints = '';

function scheduleConstraints() {
  if (!adaptive || constraintsTimer) return;
  constraintsTimer = setTimeout(() => { constraintsTimer = null; sendConstraints(); }, 200);
}

/** The smallest height the server can pick that is at least what the tile draws. */
function stepFor(pixels) {
  return HEIGHT_STEPS.find((h) => h >= pixels) || HEIGHT_STEPS[HEIGHT_STEPS.length - 1];
}

/** receiverConstraints from what is on screen: per participant, the most its visible tiles need. */
function constraints() {
  const endpoints = {};
  for (const t of tiles.values()) {
    let need = 0;
    if (!document.hidden && t.visible) {
      need = t.key === pinned ? PINNED_MAX_HEIGHT : stepFor(t.video.clientHeight * (window.devicePixelRatio || 1));
    }
    endpoints[t.endpointId] = Math.max(endpoints[t.endpointId] || 0, need);
  }
  return {defaultMaxHeight: document.hidden ? 0 : DEFAULT_MAX_HEIGHT, endpoints};
}

function sendConstraints() {
  if (!client || !client.endpointId) return;
  const c = constraints();
  const json = JSON.stringify(c);
  if (json === sentConstraints) return;
  sentConstraints = json;
  client.setReceiverConstraints(c.defaultMaxHeight, c.endpoints);
}

document.addEventListener('visibilitychange', scheduleConstraints);

// ---- audio that the browser would not play by itself ----

/** Autoplay refused sound (no click on the page yet): one button plays every participant's audio. */
function playAudio(audio) {
  audio.play().catch((e) => {
    if (e.name === 'NotAllowedError') $('unmute-audio').hidden = false;
  });
}

$('unmute-audio').addEventListener('click', () => {
  for (const t of tiles.values()) t.audio.play().catch(() => {});
  $('unmute-audio').hidden = true;
});

// ---- devices ----

let speakerId = '';

/** Fills the camera, microphone and speaker lists (labels appear once the page may use the devices). */
async function refreshDevices() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return;
  const devices = await navigator.mediaDevices.enumerateDevices();
  const fill = (select, kind, noun) => {
    const current = select.value;
    const options = devices.filter((d) => d.kind === kind).map((d, i) => {
      const o = document.createElement('option');
      o.value = d.deviceId;
      o.textContent = d.label || `${noun} ${i + 1}`;
      return o;
    });
    if (!options.length) {
      const o = document.createElement('option');
      o.value = '';
      o.textContent = kind === 'audiooutput' ? 'Default speaker' : `No ${noun.toLowerCase()} found`;
      options.push(o);
    }
    select.replaceChildren(...options);
    if ([...select.options].some((o) => o.value === current)) select.value = current;
  };
  fill($('camera-select'), 'videoinput', 'Camera');
  fill($('mic-select'), 'audioinput', 'Microphone');
  fill($('speaker-select'), 'audiooutput', 'Speaker');
  // Choosing where sound goes needs setSinkId (Chromium; Firefox behind a setting; not Safari).
  $('speaker-field').hidden = !('setSinkId' in HTMLMediaElement.prototype);
  const used = localStream && localStream.getVideoTracks()[0];
  if (used && used.getSettings().deviceId) $('camera-select').value = used.getSettings().deviceId;
  const mic = localStream && localStream.getAudioTracks()[0];
  if (mic && mic.getSettings().deviceId) $('mic-select').value = mic.getSettings().deviceId;
}

if (navigator.mediaDevices) navigator.mediaDevices.addEventListener('devicechange', () => refreshDevices().catch(() => {}));
refreshDevices().catch(() => {});

function cameraConstraints() {
  const width = Number(params.get('width')) || 1280;
  const deviceId = $('camera-select').value;
  return {width: {ideal: width}, height: {ideal: Math.round(width * 9 / 16)}, ...(deviceId ? {deviceId: {exact: deviceId}} : {})};
}

function micConstraints() {
  const deviceId = $('mic-select').value;
  return deviceId ? {deviceId: {exact: deviceId}} : true;
}

$('camera-select').addEventListener('change', async () => {
  if (!client || !localStream || $('cam').classList.contains('off')) return;
  try {
    const camera = (await getMedia({video: cameraConstraints()})).getVideoTracks()[0];
    const old = localStream.getVideoTracks()[0];
    await client.replaceTrack('camera', camera);
    if (old) { old.stop(); localStream.removeTrack(old); }
    localStream.addTrack(camera);
    $('local-video').srcObject = localStream;
    showError(null);
  } catch (e) {
    showError(e);
  }
});

$('mic-select').addEventListener('change', async () => {
  if (!client || !localStream) return;
  try {
    const mic = (await getMedia({audio: micConstraints()})).getAudioTracks()[0];
    const old = localStream.getAudioTracks()[0];
    mic.enabled = !$('mic').classList.contains('off');
    await client.replaceTrack('microphone', mic);
    if (old) { old.stop(); localStream.removeTrack(old); }
    localStream.addTrack(mic);
    showError(null);
  } catch (e) {
    showError(e);
  }
});

$('speaker-select').addEventListener('change', async () => {
  speakerId = $('speaker-select').value;
  for (const t of tiles.values()) if (t.audio.setSinkId) await t.audio.setSinkId(speakerId).catch((e) => showError(e));
});

// ---- the call ----

async function join(room, name) {
  $('join-form').hidden = true;
  $('call').hidden = false;
  showError(null);
  status('connecting…');
  client = new SfuClient(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
      {...(params.get('relay') === '1' ? {iceTransportPolicy: 'relay'} : {}),
       ...(params.get('tcp') === '1' ? {tcpOnly: true} : {})});
  window.sfu = client; // for the console and the browser tests
  client.addEventListener('track', ({detail}) => {
    const t = tile(detail.endpointId, detail.source);
    showMuted(t, detail.kind, detail.muted);
    if (detail.kind === 'video') {
      t.stream.getVideoTracks().forEach((old) => t.stream.removeTrack(old));
      t.stream.addTrack(detail.track);
      t.video.srcObject = t.stream;
      t.video.play().catch(() => {});
    } else {
      t.audio.srcObject.getAudioTracks().forEach((old) => t.audio.srcObject.removeTrack(old));
      t.audio.srcObject.addTrack(detail.track);
      playAudio(t.audio);
    }
    scheduleConstraints();
  });
  client.addEventListener('trackended', ({detail}) => {
    const key = `${detail.endpointId}|${detail.source === 'screen' || detail.source === 'screen-audio' ? 'screen' : 'camera'}`;
    const t = tiles.get(key);
    if (!t) return;
    if (detail.kind === 'video') t.stream.getVideoTracks().forEach((old) => t.stream.removeTrack(old));
    // A screen share that ended takes its tile with it; a camera tile stays while its participant does.
    if (t.source === 'screen' && detail.kind === 'video') removeTile(key);
  });
  client.addEventListener('participantjoined', ({detail}) => {
    for (const t of tiles.values()) if (t.endpointId === detail.endpointId) setName(t);
  });
  client.addEventListener('participantleft', ({detail}) => removeParticipant(detail.endpointId));
  client.addEventListener('trackmuted', ({detail}) => {
    if (!detail.kind) return;
    const t = tiles.get(`${detail.endpointId}|${detail.source === 'screen' || detail.source === 'screen-audio' ? 'screen' : 'camera'}`);
    if (t) showMuted(t, detail.kind, detail.muted);
  });
  client.addEventListener('dominantspeaker', ({detail}) => {
    for (const t of tiles.values()) t.figure.classList.toggle('speaking', t.endpointId === detail.endpointId && t.source === 'camera');
  });
  client.addEventListener('message', ({detail}) => {
    if (detail.label === 'chat' && typeof detail.data === 'string') addChatLine(detail.endpointId, detail.data);
  });
  client.addEventListener('closed', ({detail}) => status('disconnected' + (detail.reason ? ': ' + detail.reason : '')));
  client.addEventListener('reconnecting', ({detail}) => status(`connection lost: reconnecting (attempt ${detail.attempt})…`));
  client.addEventListener('resumed', () => status(`in room ${room} as ${name || 'anonymous'} (reconnected)`));
  client.addEventListener('rejoined', async () => {
    status(`in room ${room} as ${name || 'anonymous'} (rejoined)`);
    if (chat) chat = await client.openDataChannel('chat').catch(() => null);
  });
  client.addEventListener('error', ({detail}) => {
    console.warn('sfu:', detail && detail.code, detail && detail.message);
    showError(detail);
  });
  client.addEventListener('connectionstatechange', ({detail}) => {
    if (detail.state === 'connected' && $('error').dataset.code === 'ice-failed') showError(null);
  });
  client.addEventListener('redirect', () => {
    // A draining server's deadline: join the same room anew; the cluster has moved it to another node.
    status('moving to another server…');
    $('leave').click();
    join(room, name);
  });
  client.addEventListener('removed', ({detail}) => status('removed by the server: ' + detail.reason));
  try {
    await client.join(room, name, params.get('token') || undefined);
    status(`in room ${room} as ${name || 'anonymous'}`);
    sentConstraints = '';
    scheduleConstraints();
    if (params.get('chat') !== '0') {
      chat = await client.openDataChannel('chat');
      $('chat').hidden = false;
    }
    if (params.get('publish') === '0') return; // watch only: no media from us
    localStream = await getMedia({audio: micConstraints(), video: cameraConstraints()});
    $('local-video').srcObject = localStream;
    await client.publish(localStream, {simulcast: params.get('simulcast') !== '0'});
    refreshDevices().catch(() => {});
  } catch (e) {
    status(client && client.endpointId ? `in room ${room}` : 'not connected');
    showError(e);
    console.error(e);
  }
}

/** One chat line, with its sender's name (the channel's protocol is the sender's endpoint id). */
function addChatLine(endpointId, text) {
  const li = document.createElement('li');
  const who = document.createElement('b');
  who.textContent = endpointId === null ? 'You' : displayName(endpointId);
  li.dataset.endpointId = endpointId === null ? 'self' : endpointId;
  li.append(who, document.createTextNode(' ' + text));
  $('messages').append(li);
  li.scrollIntoView({block: 'nearest'});
}

$('chat-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('chat-input').value;
  if (!text || !chat || chat.readyState !== 'open') return;
  chat.send(text);
  addChatLine(null, text);
  $('chat-input').value = '';
});

$('join-form').addEventListener('submit', (e) => {
  e.preventDefault();
  join($('room').value, $('name').value);
});

$('mic').addEventListener('click', () => {
  const muted = $('mic').classList.toggle('off');
  client.setMuted('audio', muted);
  $('mic').textContent = muted ? 'Unmute mic' : 'Mute mic';
  $('mic').setAttribute('aria-pressed', String(muted));
});

$('cam').addEventListener('click', async () => {
  const off = !$('cam').classList.contains('off');
  $('cam').classList.toggle('off', off);
  $('cam').textContent = off ? 'Start camera' : 'Stop camera';
  $('cam').setAttribute('aria-pressed', String(off));
  const old = localStream && localStream.getVideoTracks()[0];
  if (off) {
    // Stop the camera itself (its light goes out), send nothing, and tell the others.
    await client.replaceVideo(null);
    if (old) { old.stop(); localStream.removeTrack(old); }
    client.setMuted('video', true);
    return;
  }
  try {
    const camera = (await getMedia({video: cameraConstraints()})).getVideoTracks()[0];
    localStream.addTrack(camera);
    await client.replaceVideo(camera);
    client.setMuted('video', false);
  } catch (e) {
    showError(e);
  }
});

/** Ends our screen share: its track stops and leaves everyone's page. */
async function stopSharing() {
  const stream = screenStream;
  screenStream = null;
  $('screen').classList.remove('off');
  $('screen').textContent = 'Share screen';
  $('screen').setAttribute('aria-pressed', 'false');
  $('local-screen-tile').hidden = true;
  if (!stream) return;
  stream.getTracks().forEach((t) => t.stop());
  await client.unpublish(stream).catch((e) => showError(e));
}

/** Shares a screen beside the camera, as a track of its own (source 'screen'). */
async function shareScreen(stream) {
  screenStream = stream;
  stream.getVideoTracks()[0].addEventListener('ended', () => { if (screenStream === stream) stopSharing(); });
  $('local-screen').srcObject = stream;
  $('local-screen-tile').hidden = false;
  $('screen').classList.add('off');
  $('screen').textContent = 'Stop sharing';
  $('screen').setAttribute('aria-pressed', 'true');
  await client.publish(stream, {source: 'screen', simulcast: params.get('simulcast') !== '0'});
}
window.sfuShareScreen = shareScreen; // tests that cannot capture a screen share a canvas instead

$('screen').addEventListener('click', async () => {
  if (screenStream) { await stopSharing(); return; }
  try {
    await shareScreen(await getScreen({video: true, audio: false}));
    showError(null);
  } catch (e) {
    showError(e);
  }
});

$('stats-toggle').addEventListener('click', () => {
  $('stats').hidden = !$('stats').hidden;
  $('stats-toggle').setAttribute('aria-expanded', String(!$('stats').hidden));
});

$('leave').addEventListener('click', () => {
  client.leave();
  chat = null;
  $('chat').hidden = true;
  $('messages').replaceChildren();
  for (const key of [...tiles.keys()]) removeTile(key);
  if (localStream) localStream.getTracks().forEach((t) => t.stop());
  if (screenStream) screenStream.getTracks().forEach((t) => t.stop());
  screenStream = null;
  $('local-screen-tile').hidden = true;
  $('call').hidden = true;
  $('join-form').hidden = false;
  status('left');
});

setInterval(async () => {
  if (!client || $('stats').hidden) return;
  const s = await client.stats(lastStats);
  lastStats = s;
  const loss = s.received + s.lost > 0 ? (100 * s.lost / (s.received + s.lost)).toFixed(2) : '0.00';
  $('stats').textContent = `in  ${((s.bitrateIn || 0) / 1000).toFixed(0)} kbps   out ${((s.bitrateOut || 0) / 1000).toFixed(0)} kbps\n`
    + `best remote video ${s.width}x${s.height}   loss ${loss}%   participants ${client.participants.size + 1}`;
}, 1000);

/** Each tile's badge: resolution, bitrate, loss and round trip of its video, every 2 s. */
async function updateQuality() {
  if (!client || !client.subscribePc) return;
  const stats = await client.trackStats(lastTrackStats);
  lastTrackStats = stats;
  for (const s of stats.values()) {
    if (s.kind !== 'video' || s.bitrate === undefined) continue;
    const t = tiles.get(`${s.endpointId}|${s.source === 'screen' ? 'screen' : 'camera'}`);
    if (!t) continue;
    const level = s.loss > 5 || (s.rtt || 0) > 0.4 ? 'poor' : s.loss > 1 || (s.rtt || 0) > 0.2 ? 'fair' : 'good';
    const parts = [s.height ? `${s.height}p` : 'no video', `${Math.round(s.bitrate / 1000)} kbps`, `${s.loss.toFixed(1)}% loss`];
    if (s.rtt !== undefined) parts.push(`${Math.round(s.rtt * 1000)} ms`);
    t.quality.textContent = parts.join(' · ');
    t.quality.dataset.level = level;
    t.quality.dataset.height = String(s.height);
    t.quality.dataset.bitrate = String(Math.round(s.bitrate));
    t.quality.dataset.loss = s.loss.toFixed(2);
  }
}
setInterval(() => updateQuality().catch(() => {}), 2000);

if (params.get('autojoin') === '1' && params.get('room')) join(params.get('room'), params.get('name') || '');
