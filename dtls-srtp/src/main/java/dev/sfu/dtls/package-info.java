/** The dtls-srtp module of the SFU. */
package dev.sfu.dtls;
