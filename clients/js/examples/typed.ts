// Compiled by the build (ClientPackageTest) against sfu-client.d.ts: the public API as an application uses it.
import {SfuClient, SfuError, describeError, getMedia, getScreen, type Source, type TrackStatsReport} from '@sfu/client';

const client = new SfuClient('wss://sfu.example/ws', {tcpOnly: false});
const tiles = new Map<string, HTMLVideoElement>();

client.addEventListener('track', ({detail}) => {
  const source: Source = detail.source;
  if (detail.kind === 'video') {
    const video = document.createElement('video');
    video.srcObject = new MediaStream([detail.track]);
    tiles.set(`${detail.endpointId}|${source}`, video);
  }
});
client.addEventListener('trackended', ({detail}) => tiles.delete(`${detail.endpointId}|${detail.source}`));
client.addEventListener('participantjoined', ({detail}) => console.log(detail.endpointId, detail.displayName ?? ''));
client.addEventListener('participantleft', ({detail}) => console.log('left', detail.endpointId));
client.addEventListener('trackmuted', ({detail}) => console.log(detail.trackId, detail.muted, detail.kind));
client.addEventListener('dominantspeaker', ({detail}) => console.log('speaking', detail.endpointId));
client.addEventListener('connectionstatechange', ({detail}) => console.log(detail.transport, detail.state));
client.addEventListener('reconnecting', ({detail}) => console.log('attempt', detail.attempt));
client.addEventListener('resumed', ({detail}) => console.log(detail.participants.length));
client.addEventListener('rejoined', ({detail}) => console.log(detail.endpointId));
client.addEventListener('error', ({detail}) => {
  const e: SfuError = detail;
  if (e.code === 'ice-failed') console.warn(describeError(e));
});
client.addEventListener('message', ({detail}) => {
  if (typeof detail.data === 'string') console.log(detail.label, detail.data);
});

async function main(): Promise<void> {
  try {
    const joined = await client.join('standup', 'Ada', 'TOKEN');
    console.log(joined.endpointId, joined.participants.map((p) => p.endpointId));
    await client.publish(await getMedia({audio: true, video: true}));
    await client.publish(await getScreen({video: true}), {source: 'screen', simulcast: false});
    client.setMuted('audio', true);
    client.setMuted('screen', false);
    client.setReceiverConstraints(360, {[joined.endpointId]: 0});
    const chat = await client.openDataChannel('chat', {ordered: true});
    chat.send('hello');
    let previous: TrackStatsReport | undefined;
    previous = await client.trackStats(previous);
    for (const s of previous.values()) console.log(s.endpointId, s.source, s.height, s.bitrate ?? 0);
  } catch (e) {
    if (e instanceof SfuError && (e.code === 'unauthorized' || e.code === 'permission-denied')) {
      document.body.textContent = describeError(e);
    }
  }
}
void main();
