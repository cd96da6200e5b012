"""``python -m obsctl``."""

from obsctl.cli import main

if __name__ == "__main__":
    main()
