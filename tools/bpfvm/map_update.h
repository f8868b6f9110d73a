/* --map-update NAME KEY VALUE for bpfvm run / test-run: set a map entry
 * of the loaded object before the program runs (a DEVMAP's ports, a
 * blocklist, a config array), key and value as hex bytes. */
#ifndef BPFVM_CLI_MAP_UPDATE_H
#define BPFVM_CLI_MAP_UPDATE_H

struct bpfvm_object;

#define MAP_UPDATES_MAX 64

struct map_update {
	const char *name, *key, *value;
};

struct map_updates {
	struct map_update u[MAP_UPDATES_MAX];
	int cnt;
};

/* argv[*i] is "--map-update"? Take it and its three values: 1 (*i moved
 * to the last), 0 for another argument, -1 after printing why not. */
int map_update_arg(int argc, char **argv, int *i, struct map_updates *u);
/* Apply each update in order (BPF_ANY; per-CPU maps: the value on every
 * CPU). 0, or -1 after printing why (no such map, sizes that do not
 * match, the map's refusal). */
int map_update_apply(struct bpfvm_object *obj, const struct map_updates *u);

#endif
