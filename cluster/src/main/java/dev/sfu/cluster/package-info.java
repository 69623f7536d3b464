/**
 * Several SFU nodes behind one load balancer. Redis is the one source of truth: each node's record (with
 * its load) under a short expiry, and one lease per conference naming the node that hosts it. A join that
 * reaches another node is redirected to the owner; a conference nobody owns goes to the least-stressed
 * serving node. Media never goes through here, so calls outlive Redis.
 */
package dev.sfu.cluster;
