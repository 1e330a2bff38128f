"""Time each role's home page and the bureau's dashboard through the app, against the
auditor's month page in the same process (the reference: the home pages read the same
month results).

    carehub users add benchX --role ROLE --password-stdin   # one per role, same password
    .venv/bin/python bench/home_pages.py --month 2026-10 --password ... --runs 5

"Cold" throws the kept months away before each request; "kept" keeps them, as a running
server does. Medians of ``--runs`` requests, in seconds.
"""

from __future__ import annotations

import argparse
import statistics
import time

from carehub.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--month", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--prefix", default="bench")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    # "cold" is a month worked out in the request, as before the figures were stored (a
    # city month is otherwise never worked out in a request; bench/month_page.py times that).
    app = create_app({"WTF_CSRF_ENABLED": False, "SUBSIDY_INLINE_VISITS": 10**9})
    year = args.month[:4]
    quarter = f"{year}-Q{(int(args.month[5:]) - 1) // 3 + 1}"
    pages = [
        ("auditor", "month page (reference)", f"/subsidy/{args.month}"),
        ("auditor", "auditor home", "/"),
        ("dispatcher", "dispatcher home", "/"),
        ("dispatcher", "dispatcher home page 5", "/?page=5"),
        ("assessor", "assessor home", "/"),
        ("bureau", "bureau month", f"/bureau/?period={args.month}"),
        ("bureau", "bureau quarter", f"/bureau/?period={quarter}"),
    ]
    clients = {}
    for role in {role for role, _label, _url in pages}:
        client = app.test_client()
        login = client.post(
            "/login", data={"username": f"{args.prefix}{role}", "password": args.password}
        )
        assert login.status_code == 302, login.get_data(as_text=True)[:300]
        clients[role] = client
    print(f"{'page':28} {'cold s':>8} {'kept s':>8}")
    for role, label, url in pages:
        found = []
        for kept in (False, True):
            times = []
            for _run in range(args.runs):
                if not kept:
                    app.extensions.pop("subsidy_month_cache", None)
                started = time.perf_counter()
                response = clients[role].get(url)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, (url, response.status_code)
            found.append(statistics.median(times))
        print(f"{label:28} {found[0]:8.3f} {found[1]:8.3f}")


if __name__ == "__main__":
    main()
