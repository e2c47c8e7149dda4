/**
 * Which hosts and addresses are this machine: the only place a plaintext login (security "none") may go.
 */
import * as net from 'net';

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** True for an IP address of this machine's loopback: 127.0.0.0/8, ::1, and 127.x as an IPv4-mapped IPv6 address. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (net.isIPv4(a)) return LOOPBACK.check(a, 'ipv4');
  if (net.isIPv6(a)) return LOOPBACK.check(a, 'ipv6');
  return false;
}

/**
 * True for names and addresses that may stay on this machine: localhost, *.localhost, loopback addresses. Only the
 * early check: a name says nothing about where it resolves to (see `checkPlaintextPeer`).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  return isLoopbackAddress(h);
}
