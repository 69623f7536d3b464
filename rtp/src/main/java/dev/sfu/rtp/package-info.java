/** The rtp module of the SFU. */
package dev.sfu.rtp;
