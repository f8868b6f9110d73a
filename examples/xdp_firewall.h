/* What the XDP firewall (xdp_firewall.bpf.c) shares with user space:
 * blocklist keys, counter slots and the ring buffer's event record. */
#ifndef EXAMPLES_XDP_FIREWALL_H
#define EXAMPLES_XDP_FIREWALL_H

#include <linux/types.h>

/* LPM_TRIE keys: the prefix length, then the address (network order). */
struct fw_key_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct fw_key_v6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/* Slots of the per-CPU `fw_stats` array, one per outcome. */
enum fw_stat {
	FW_STAT_PASS = 0,	/* IP traffic let through */
	FW_STAT_PASS_OTHER,	/* not IP (ARP, ...): passed untouched */
	FW_STAT_DROP_BLOCKED,	/* source in the blocklist map */
	FW_STAT_DROP_DEFAULT,	/* source in the built-in (.rodata) rules */
	FW_STAT_DROP_MALFORMED,	/* truncated or invalid headers */
	FW_STAT_MAX,
};

struct fw_counter {
	__u64 packets;
	__u64 bytes;
};

/* Why a packet was dropped (fw_event.reason). */
enum fw_reason {
	FW_REASON_BLOCKLIST = 1,
	FW_REASON_DEFAULT_RULE = 2,
	FW_REASON_MALFORMED = 3,
};

/* One record in the `fw_events` ring buffer per dropped packet. */
struct fw_event {
	__u32 pkt_len;
	__u32 rule;		/* blocklist value / default rule index */
	__u16 vlan;		/* innermost VLAN id, 0 untagged */
	__u8 family;		/* 4, 6, 0 (could not tell) */
	__u8 proto;		/* L4 protocol, when known */
	__u8 reason;		/* enum fw_reason */
	__u8 pad;
	__u16 sport, dport;	/* host order; 0 without TCP/UDP */
	__u8 src[16], dst[16];	/* IPv4: the first 4 bytes */
};

/* Built-in rules (the default blocklist `bpfvm run` applies without
 * anyone filling the map): at most FW_DEFAULT_RULES IPv4 prefixes. */
#define FW_DEFAULT_RULES 4
struct fw_rule_v4 {
	__be32 addr;		/* network order */
	__u32 prefixlen;
};

#endif
