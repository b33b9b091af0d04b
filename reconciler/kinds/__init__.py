"""The kinds of object the tool manages, one package each (audio/, carrier/, template/,
campaign/), with what they share (base.py: the Kind seam, references, the planning context;
steps.py: write-step helpers) and the one list of them (registry.py). Nothing here imports
the registry: a kind package never imports another kind's."""
