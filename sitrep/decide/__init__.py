"""The decision layer: a model trained on coded news decides which proposed events to keep, their
type, place and toll (see README, "Decision layer")."""
