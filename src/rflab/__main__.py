"""``python -m rflab`` runs the command line."""

from rflab.cli import main

main()
