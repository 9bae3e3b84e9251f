"""Serve the letters as Linked Data: `python serve.py [--host H] [--port P] [--base URI]`."""
from lod.serve import main

if __name__ == "__main__":
    main()
