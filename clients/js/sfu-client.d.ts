// Type declarations of sfu-client.js, the SFU's JavaScript client (docs/client.md in the SFU's repository).
// Hand-written beside the JavaScript, which stays the one source the server serves; a test compiles
// examples/typed.ts against them (and a misuse that must not compile).

/** What a track shows (signaling protocol, "Sources and mute"). */
export type Source = 'camera' | 'microphone' | 'screen' | 'screen-audio';
export type Kind = 'audio' | 'video';
export type TransportRole = 'publish' | 'subscribe';

/** Error codes of the server (the signaling protocol's `error` message). */
export type ServerErrorCode =
  | 'bad-request' | 'not-joined' | 'unauthorized' | 'conference-full' | 'sdp-rejected' | 'internal' | 'unavailable';
/** Error codes of the client: devices, network, media connection. */
export type ClientErrorCode =
  | 'permission-denied' | 'no-device' | 'device-in-use' | 'screen-share-cancelled' | 'media-error'
  | 'server-unreachable' | 'ice-failed' | 'connection-lost' | 'too-many-redirects';
/** Any code; a newer server may send codes this version does not know. */
export type ErrorCode = ServerErrorCode | ClientErrorCode | 'room-full' | (string & {});

/** An error with a code and a message a person can read (never a stack or a class name). */
export declare class SfuError extends Error {
  constructor(code: ErrorCode, message?: string, detail?: string);
  readonly name: 'SfuError';
  readonly code: ErrorCode;
  /** More for a log: the server's own message, the transport that failed, the browser's message. */
  readonly detail?: string;
}

/** The plain message for each known code. */
export declare const ERROR_MESSAGES: Readonly<Record<string, string>>;
/** The plain message for an error: by its code, else a generic one. */
export declare function describeError(error: unknown): string;
/** A getUserMedia/getDisplayMedia failure as an SfuError (permission-denied, no-device, device-in-use, ...). */
export declare function mediaError(error: unknown, screen?: boolean): SfuError;
/** getUserMedia whose failures are SfuErrors. */
export declare function getMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
/** getDisplayMedia whose failures are SfuErrors (screen-share-cancelled, ...). */
export declare function getScreen(constraints?: DisplayMediaStreamOptions): Promise<MediaStream>;
/** The URL with ?conference=NAME, unless it names one already. */
export declare function withConference(url: string, conference: string): string;

export declare const SOURCES: readonly Source[];
export declare const RESTART_AFTER_DISCONNECTED_MS: number;
export declare const RECONNECT_DELAYS_MS: readonly number[];
export declare const GIVE_UP_MS: number;
export declare const MAX_REDIRECTS: number;
export declare const ICE_FAILED_AFTER_MS: number;

export interface SfuClientOptions {
  /** 'relay': use TURN only. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Use only TCP candidates, ours and the server's (as if UDP were blocked). */
  tcpOnly?: boolean;
  /** Which candidates (a=candidate lines) may be used, ours and the server's. */
  candidateFilter?: (candidate: string) => boolean;
  /** Used instead of the list the server sends in `joined`. */
  iceServers?: RTCIceServer[];
  /** After this long without connecting, a connection reports 'ice-failed' (default ICE_FAILED_AFTER_MS). */
  iceFailedAfterMs?: number;
}

export interface Participant {
  endpointId: string;
  displayName?: string;
}

export interface JoinedMessage {
  type: 'joined';
  id?: number | string;
  endpointId: string;
  conference: string;
  iceServers: RTCIceServer[];
  participants: Participant[];
  resumeToken?: string;
}

export interface ResumedMessage {
  type: 'resumed';
  id?: number | string;
  participants: Participant[];
}

/** A remote track as the server's subscribe offer announces it. */
export interface RemoteTrackInfo {
  mid: string;
  endpointId: string;
  kind: Kind;
  source: Source;
  trackId: string;
}

export interface TrackEventDetail extends RemoteTrackInfo {
  /** Attach it to a <video> or <audio>. */
  track: MediaStreamTrack;
  /** Whether its sender has it muted now. */
  muted: boolean;
}

export interface TrackMutedDetail {
  endpointId: string;
  trackId: string;
  muted: boolean;
  /** Known when we receive the track. */
  kind?: Kind;
  source?: Source;
}

export interface LocalTrack {
  mid: string | null;
  kind: Kind;
  source: Source;
  trackId: string | null;
  track: MediaStreamTrack | null;
  transceiver: RTCRtpTransceiver;
}

export interface ReceiverConstraints {
  defaultMaxHeight: number;
  endpoints: Record<string, number>;
}

export interface PublishOptions {
  /** Three simulcast layers (q, h, f) for video of 360 lines or more; default true. */
  simulcast?: boolean;
  /** 'camera' (default; its audio is the 'microphone') or 'screen' (its audio is 'screen-audio'). */
  source?: 'camera' | 'screen';
}

export interface Stats {
  time: number;
  bytesIn: number;
  bytesOut: number;
  lost: number;
  received: number;
  width: number;
  height: number;
  bitrateIn?: number;
  bitrateOut?: number;
}

export interface TrackStats extends RemoteTrackInfo {
  bytesReceived: number;
  packetsReceived: number;
  packetsLost: number;
  framesDecoded: number;
  framesReceived: number;
  width: number;
  height: number;
  fps: number;
  /** Round trip of the subscribe connection, in seconds. */
  rtt?: number;
  /** Since the previous result: bits per second. */
  bitrate?: number;
  /** Since the previous result: packets lost, in percent. */
  loss?: number;
}

export type TrackStatsReport = Map<string, TrackStats> & {time: number};

export interface SfuClientEventMap {
  joined: CustomEvent<JoinedMessage>;
  participantjoined: CustomEvent<Participant>;
  participantleft: CustomEvent<{endpointId: string}>;
  track: CustomEvent<TrackEventDetail>;
  trackended: CustomEvent<RemoteTrackInfo>;
  trackmuted: CustomEvent<TrackMutedDetail>;
  dominantspeaker: CustomEvent<{endpointId: string}>;
  connectionstatechange: CustomEvent<{transport: TransportRole; state: RTCPeerConnectionState}>;
  reconnecting: CustomEvent<{attempt: number}>;
  resumed: CustomEvent<ResumedMessage>;
  rejoined: CustomEvent<JoinedMessage>;
  redirect: CustomEvent<{url: string}>;
  removed: CustomEvent<{reason: string}>;
  closed: CustomEvent<{code: number; reason: string}>;
  error: CustomEvent<SfuError>;
  datachannel: CustomEvent<{endpointId: string; label: string; channel: RTCDataChannel}>;
  message: CustomEvent<{endpointId: string; label: string; data: string | ArrayBuffer; channel: RTCDataChannel}>;
  datachannelclosed: CustomEvent<{endpointId: string; label: string}>;
}

export declare class SfuClient extends EventTarget {
  constructor(url: string, options?: SfuClientOptions);

  readonly url: string;
  readonly options: SfuClientOptions;
  /** Ours, once joined. */
  readonly endpointId: string | null;
  /** endpointId -> display name of everyone else. */
  readonly participants: Map<string, string | undefined>;
  readonly publishPc: RTCPeerConnection | null;
  readonly subscribePc: RTCPeerConnection | null;
  /** The last receiverConstraints sent. */
  readonly receiverConstraints: ReceiverConstraints | null;

  /** Joins (following up to MAX_REDIRECTS redirects); rejects with an SfuError. */
  join(conference: string, displayName?: string, token?: string): Promise<JoinedMessage>;
  leave(): void;

  publish(stream: MediaStream, options?: PublishOptions): Promise<void>;
  /** Stops publishing a stream given to publish(); its tracks are not stopped. */
  unpublish(stream: MediaStream): Promise<void>;
  /** Replaces what we send for one source (null: nothing) without renegotiating. */
  replaceTrack(source: Source, track: MediaStreamTrack | null): Promise<void>;
  /** replaceTrack('camera', track). */
  replaceVideo(track: MediaStreamTrack | null): Promise<void>;
  /** 'audio' = the microphone, 'video' = the camera, or a source. */
  setMuted(what: Kind | Source, muted: boolean): void;
  /** Mutes one of our published tracks on the server by its id. */
  mute(trackId: string, muted: boolean): void;
  /** Our tracks: endpointId-mid. */
  publishedTrackId(mid: string): string;
  localTracks(): LocalTrack[];

  /** Video no taller than defaultMaxHeight (0: none), or per endpoint. */
  setReceiverConstraints(defaultMaxHeight: number, endpoints?: Record<string, number>): void;

  openDataChannel(label: string, init?: RTCDataChannelInit): Promise<RTCDataChannel>;

  stats(previous?: Stats): Promise<Stats>;
  trackStats(previous?: TrackStatsReport): Promise<TrackStatsReport>;

  static sourceOf(kind: Kind, source?: Source): Source;

  addEventListener<K extends keyof SfuClientEventMap>(type: K,
      listener: (this: SfuClient, event: SfuClientEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
      options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof SfuClientEventMap>(type: K,
      listener: (this: SfuClient, event: SfuClientEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
      options?: boolean | EventListenerOptions): void;
}
