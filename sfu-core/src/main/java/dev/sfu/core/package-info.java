/**
 * Conferences, endpoints, tracks, SDP and the RTP router.
 *
 * <p>The signaling layer talks to this module only through {@link dev.sfu.core.ConferenceService},
 * {@link dev.sfu.core.EndpointHandle} and {@link dev.sfu.core.EndpointListener}.
 */
package dev.sfu.core;
