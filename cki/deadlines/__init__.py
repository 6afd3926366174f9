"""Deadline watch (termijnbewaking): every deadline as a row, the sweeps that act on each once, and the
notifications, e-mails and calendar feed that tell people."""
