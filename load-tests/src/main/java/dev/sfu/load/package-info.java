/** The load-tests module of the SFU. */
package dev.sfu.load;
