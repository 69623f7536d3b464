/**
 * The load-test harness: simulated peers over the real signaling API, ICE, DTLS and SRTP, with
 * scenarios (fan-out, meetings) and a report of throughput, loss, latency and join time.
 */
package dev.sfu.load;
