"""Start an app headless and quit at its first interactive frame: ``bare`` (a Textual app
showing one Label) or ``kiosk CASES DB PREVIEW`` (``kiosk demo --cases CASES``).

Both are stopped the same way: headless, and quit on Textual's ``Ready`` event, which the
app gets once the DOM is ready and the first frame has been displayed. The parent times
the whole process, interpreter start included.
"""

from __future__ import annotations

import sys


def main() -> None:
    from textual.app import App

    run = App.run

    def headless(self, *args, **kwargs):
        return run(self, *args, **{**kwargs, "headless": True})

    App.run = headless
    App.on_ready = lambda self: self.exit()  # the first frame is on screen: quit
    if sys.argv[1] == "bare":
        from textual.widgets import Label

        class Bare(App):
            def compose(self):
                yield Label("Letters for Freedom")

        Bare().run()
    else:
        from kiosk.cli import cli

        cases, db, preview = sys.argv[2:5]
        cli.main(["demo", "--cases", cases, "--db", db, "--preview", preview], standalone_mode=False)


if __name__ == "__main__":
    main()
