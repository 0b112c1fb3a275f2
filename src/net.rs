//! The machine's own network addresses, as a tablet on the LAN would use them. It only asks
//! the operating system; what to do with the addresses is the caller's business.

use std::net::IpAddr;

/// The non-loopback addresses of the family a socket bound to `bound` answers on, sorted, so
/// "the first" is the same on every call and the same one `serve` lists first.
pub fn lan_addresses(bound: IpAddr) -> Vec<IpAddr> {
    let mut ips: Vec<IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback())
        .map(|i| i.ip())
        // An IPv4 socket is reached on IPv4 addresses only; an IPv6 one usually on both.
        .filter(|ip| bound.is_ipv6() || ip.is_ipv4())
        .filter(|ip| !matches!(ip, IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80))
        .collect();
    ips.sort();
    ips.dedup();
    ips
}
