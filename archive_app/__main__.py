from archive_app.cli import main

if __name__ == "__main__":  # helper processes (spawn) import this module too
    raise SystemExit(main())
