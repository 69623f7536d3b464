// The demo page: join from the form or at once with /?room=R&name=N&autojoin=1, publish camera and
// microphone, show every remote endpoint as a <video data-endpoint-id>. Test knobs: &simulcast=0,
// &width=320, &relay=1 (ICE through TURN only), &tcp=1 (ICE-TCP only), &publish=0 (no media from us),
// &chat=0 (no data channel). The chat panel is a data channel labelled "chat" relayed by the server.
import {SfuClient} from './sfu-client.js';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const tiles = new Map(); // endpointId -> {figure, video, stream, audio}
let client = null;
let localStream = null;
let lastStats = null;
let chat = null;

if (params.get('room')) $('room').value = params.get('room');
if (params.get('name')) $('name').value = params.get('name');

function status(text) { $('status').textContent = text; }

function tile(endpointId) {
  let t = tiles.get(endpointId);
  if (t) return t;
  const figure = document.createElement('figure');
  figure.className = 'tile';
  figure.dataset.endpointId = endpointId;
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true; // audio plays through its own element, so autoplay rules never block video
  video.dataset.endpointId = endpointId;
  const stream = new MediaStream();
  video.srcObject = stream;
  const audio = document.createElement('audio');
  audio.autoplay = true;
  audio.srcObject = new MediaStream();
  const caption = document.createElement('figcaption');
  caption.textContent = (client && client.participants.get(endpointId)) || endpointId;
  figure.append(video, audio, caption);
  $('grid').append(figure);
  t = {figure, video, stream, audio, caption};
  tiles.set(endpointId, t);
  return t;
}

/** Marks a tile's audio or video as muted by its sender (data-audio-muted / data-video-muted). */
function showMuted(t, kind, muted) {
  t.figure.dataset[kind + 'Muted'] = muted ? 'true' : 'false';
  const name = t.caption.dataset.name || t.caption.textContent;
  t.caption.dataset.name = name;
  const marks = [t.figure.dataset.audioMuted === 'true' ? 'mic off' : '', t.figure.dataset.videoMuted === 'true' ? 'camera off' : '']
      .filter(Boolean);
  t.caption.textContent = marks.length ? `${name} (${marks.join(', ')})` : name;
}

function removeTile(endpointId) {
  const t = tiles.get(endpointId);
  if (!t) return;
  t.figure.remove();
  tiles.delete(endpointId);
}

async function join(room, name) {
  $('join-form').hidden = true;
  $('call').hidden = false;
  status('connecting…');
  client = new SfuClient(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
      {...(params.get('relay') === '1' ? {iceTransportPolicy: 'relay'} : {}),
       ...(params.get('tcp') === '1' ? {tcpOnly: true} : {})});
  window.sfu = client; // for the console and the browser tests
  client.addEventListener('track', ({detail}) => {
    const t = tile(detail.endpointId);
    showMuted(t, detail.kind, detail.muted);
    if (detail.kind === 'video') {
      t.stream.getVideoTracks().forEach((old) => t.stream.removeTrack(old));
      t.stream.addTrack(detail.track);
      t.video.srcObject = t.stream;
      t.video.play().catch(() => {});
    } else {
      t.audio.srcObject.getAudioTracks().forEach((old) => t.audio.srcObject.removeTrack(old));
      t.audio.srcObject.addTrack(detail.track);
      t.audio.play().catch(() => {});
    }
  });
  client.addEventListener('trackended', ({detail}) => {
    const t = tiles.get(detail.endpointId);
    if (t && detail.kind === 'video') t.stream.getVideoTracks().forEach((old) => t.stream.removeTrack(old));
  });
  client.addEventListener('participantjoined', ({detail}) => {
    const t = tiles.get(detail.endpointId);
    if (t) {
      t.caption.dataset.name = detail.displayName || detail.endpointId;
      showMuted(t, 'audio', t.figure.dataset.audioMuted === 'true');
    }
  });
  client.addEventListener('participantleft', ({detail}) => removeTile(detail.endpointId));
  client.addEventListener('trackmuted', ({detail}) => {
    const t = tiles.get(detail.endpointId);
    if (t && detail.kind) showMuted(t, detail.kind, detail.muted);
  });
  client.addEventListener('dominantspeaker', ({detail}) => {
    for (const [id, t] of tiles) t.figure.classList.toggle('speaking', id === detail.endpointId);
  });
  client.addEventListener('message', ({detail}) => {
    if (detail.label === 'chat' && typeof detail.data === 'string') addChatLine(detail.endpointId, detail.data);
  });
  client.addEventListener('removed', ({detail}) => status('removed by the server: ' + detail.reason));
  client.addEventListener('closed', ({detail}) => status('disconnected' + (detail.reason ? ': ' + detail.reason : '')));
  client.addEventListener('reconnecting', ({detail}) => status(`connection lost: reconnecting (attempt ${detail.attempt})…`));
  client.addEventListener('resumed', () => status(`in room ${room} as ${name || 'anonymous'} (reconnected)`));
  client.addEventListener('rejoined', async () => {
    status(`in room ${room} as ${name || 'anonymous'} (rejoined)`);
    if (chat) chat = await client.openDataChannel('chat').catch(() => null);
  });
  client.addEventListener('error', ({detail}) => console.warn('sfu:', detail && detail.message));
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
    if (params.get('chat') !== '0') {
      chat = await client.openDataChannel('chat');
      $('chat').hidden = false;
    }
    if (params.get('publish') === '0') return; // watch only: no media from us
    const width = Number(params.get('width')) || 1280;
    localStream = await navigator.mediaDevices.getUserMedia({
      audio: true, video: {width: {ideal: width}, height: {ideal: Math.round(width * 9 / 16)}},
    });
    $('local-video').srcObject = localStream;
    await client.publish(localStream, {simulcast: params.get('simulcast') !== '0'});
  } catch (e) {
    status('error: ' + e.message);
    console.error(e);
  }
}

/** One chat line, with its sender's name (the channel's protocol is the sender's endpoint id). */
function addChatLine(endpointId, text) {
  const li = document.createElement('li');
  const who = document.createElement('b');
  who.textContent = endpointId === null ? 'You' : ((client && client.participants.get(endpointId)) || endpointId);
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
});

$('cam').addEventListener('click', async () => {
  const off = !$('cam').classList.contains('off');
  $('cam').classList.toggle('off', off);
  $('cam').textContent = off ? 'Start camera' : 'Stop camera';
  const old = localStream && localStream.getVideoTracks()[0];
  if (off) {
    // Stop the camera itself (its light goes out), send nothing, and tell the others.
    await client.replaceVideo(null);
    if (old) { old.stop(); localStream.removeTrack(old); }
    client.setMuted('video', true);
    return;
  }
  try {
    const width = Number(params.get('width')) || 1280;
    const camera = (await navigator.mediaDevices.getUserMedia({
      video: {width: {ideal: width}, height: {ideal: Math.round(width * 9 / 16)}},
    })).getVideoTracks()[0];
    localStream.addTrack(camera);
    await client.replaceVideo(camera);
    client.setMuted('video', false);
  } catch (e) {
    status('the camera could not be started: ' + e.message);
  }
});

$('screen').addEventListener('click', async () => {
  const sharing = $('screen').classList.contains('off');
  if (sharing) {
    await client.replaceVideo(localStream.getVideoTracks()[0]);
    $('screen').classList.remove('off');
    $('screen').textContent = 'Share screen';
    return;
  }
  try {
    const screen = await navigator.mediaDevices.getDisplayMedia({video: true});
    const track = screen.getVideoTracks()[0];
    track.onended = () => $('screen').classList.contains('off') && $('screen').click();
    await client.replaceVideo(track);
    $('screen').classList.add('off');
    $('screen').textContent = 'Stop sharing';
  } catch (e) {
    status('screen sharing refused');
  }
});

$('stats-toggle').addEventListener('click', () => { $('stats').hidden = !$('stats').hidden; });

$('leave').addEventListener('click', () => {
  client.leave();
  chat = null;
  $('chat').hidden = true;
  $('messages').replaceChildren();
  for (const id of [...tiles.keys()]) removeTile(id);
  if (localStream) localStream.getTracks().forEach((t) => t.stop());
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

if (params.get('autojoin') === '1' && params.get('room')) join(params.get('room'), params.get('name') || '');
