/** The ice module of the SFU. */
package dev.sfu.ice;
