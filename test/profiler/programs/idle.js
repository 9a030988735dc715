// Does no work of its own: `kos profile` must say there were no samples.
