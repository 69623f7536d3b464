/**
 * SCTP chunk codecs: one small class per chunk (or family of chunks sharing a layout), each writing itself and
 * read by {@link dev.sfu.sctp.chunk.ChunkParser}, which never throws on bad input and never reads outside it.
 */
package dev.sfu.sctp.chunk;
