# mypy: disable-error-code="no-untyped-def"
"""The compiled inner loop of `sisr`: string removals, blinking cheapest insertion and
simulated annealing over arrays (Christiaens and Vanden Berghe, "Slack induction by string
removals for vehicle routing problems", Transportation Science 54(2), 2020).

Everything here works on integer arrays built by `sisr.Arrays`; nothing reads a `Problem`.
A solution is the `State` arrays: ``route[k, :rlen[k]]`` the nodes caregiver k serves in
order, ``where``/``pos`` each node's route and index (-1 when left out), ``early``/``late``
each served node's earliest and latest start.

Times: a node's earliest start comes from a forward pass leaving at the shift start, its
latest start from a backward pass arriving by the shift end, each snapped into the node's
windows; waiting is free. With several windows a node's latest start is the last window
point no later than the bound its successors give, so an arrival no later than it still
has a window point to start at no later than it, and everything after stays on time.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Columns of the node table.
PLACE, SERVICE, PREF, PENALTY, FIXED, NWIN = range(6)
# Columns of the caregiver table.
SHIFT_START, SHIFT_END, MAX_WORK, HOME, END, MODE, COST = range(7)
NONE = -1


@njit(cache=True, inline="always")
def earliest(ws, we, nw, v, t):
    """First window point of node v at or after t, or NONE."""
    for w in range(nw):
        if t <= we[v, w]:
            return max(t, ws[v, w])
    return NONE


@njit(cache=True, inline="always")
def latest(ws, we, nw, v, t):
    """Last window point of node v at or before t, or NONE."""
    for w in range(nw - 1, -1, -1):
        if ws[v, w] <= t:
            return min(t, we[v, w])
    return NONE


@njit(cache=True, inline="always")
def _seq(route, k, n, v, p, i):
    """Node i of route k with v inserted at index p (p = NONE: no insertion)."""
    if p == NONE or i < p:
        return route[k, i]
    if i == p:
        return v
    return route[k, i - 1]


@njit(cache=True)
def span_ok(nodes, cgs, ws, we, tr, route, rlen, k, v, p):
    """Whether route k, with v inserted at p, can be timed within the shift and within the
    caregiver's maximum working time. Leaving as late as the visits allow gives the shortest
    span: arrival at the end grows by at most what the departure is delayed."""
    n = rlen[k] + (0 if p == NONE else 1)
    m = cgs[k, MODE]
    # Backward: the latest start of each node, then the latest departure.
    bound = cgs[k, SHIFT_END]
    nxt = cgs[k, END]
    for i in range(n - 1, -1, -1):
        u = _seq(route, k, rlen[k], v, p, i)
        bound = latest(
            ws, we, nodes[u, NWIN], u, bound - tr[m, nodes[u, PLACE], nxt] - nodes[u, SERVICE]
        )
        if bound == NONE:
            return False
        nxt = nodes[u, PLACE]
    leave = bound - tr[m, cgs[k, HOME], nxt] if n else cgs[k, SHIFT_START]
    if leave < cgs[k, SHIFT_START]:
        return False
    # Forward from that departure.
    t = leave
    here = cgs[k, HOME]
    for i in range(n):
        u = _seq(route, k, rlen[k], v, p, i)
        t = earliest(ws, we, nodes[u, NWIN], u, t + tr[m, here, nodes[u, PLACE]])
        if t == NONE:
            return False
        t += nodes[u, SERVICE]
        here = nodes[u, PLACE]
    t += tr[m, here, cgs[k, END]]
    if t > cgs[k, SHIFT_END]:
        return False
    return cgs[k, MAX_WORK] < 0 or t - leave <= cgs[k, MAX_WORK]


@njit(cache=True)
def retime(nodes, cgs, ws, we, tr, route, rlen, where, pos, early, late, k):
    """Earliest and latest starts of route k's nodes; False when it cannot be timed."""
    m = cgs[k, MODE]
    t = cgs[k, SHIFT_START]
    here = cgs[k, HOME]
    for i in range(rlen[k]):
        u = route[k, i]
        where[u] = k
        pos[u] = i
        t = earliest(ws, we, nodes[u, NWIN], u, t + tr[m, here, nodes[u, PLACE]])
        if t == NONE:
            return False
        early[u] = t
        t += nodes[u, SERVICE]
        here = nodes[u, PLACE]
    if t + tr[m, here, cgs[k, END]] > cgs[k, SHIFT_END]:
        return False
    bound = cgs[k, SHIFT_END]
    nxt = cgs[k, END]
    for i in range(rlen[k] - 1, -1, -1):
        u = route[k, i]
        bound = latest(
            ws, we, nodes[u, NWIN], u, bound - tr[m, nodes[u, PLACE], nxt] - nodes[u, SERVICE]
        )
        if bound == NONE or bound < early[u]:
            return False
        late[u] = bound
        nxt = nodes[u, PLACE]
    return cgs[k, MAX_WORK] < 0 or span_ok(nodes, cgs, ws, we, tr, route, rlen, k, 0, NONE)


@njit(cache=True, inline="always")
def arc(nodes, cgs, cost, cpen, k, a, b):
    """Cost of going from node a to node b on route k (NONE: the route's start or end)."""
    pa = cgs[k, HOME] if a == NONE else nodes[a, PLACE]
    pb = cgs[k, END] if b == NONE else nodes[b, PLACE]
    c = cost[cgs[k, COST], pa, pb]
    if a != NONE and nodes[a, PREF] != NONE and nodes[a, PREF] != k:
        c += cpen
    return c


@njit(cache=True)
def route_cost(nodes, cgs, cost, cpen, vcost, route, rlen, k):
    if rlen[k] == 0:
        return 0
    c = vcost + arc(nodes, cgs, cost, cpen, k, NONE, route[k, 0])
    for i in range(rlen[k] - 1):
        c += arc(nodes, cgs, cost, cpen, k, route[k, i], route[k, i + 1])
    return c + arc(nodes, cgs, cost, cpen, k, route[k, rlen[k] - 1], NONE)


@njit(cache=True, inline="always")
def _on_time(nodes, cgs, ws, we, tr, early, late, k, a, b, v):
    """Whether v fits on route k between a and b (NONE: the route's start or end): v after
    a, then b no later than its latest start."""
    m = cgs[k, MODE]
    leave = cgs[k, SHIFT_START] if a == NONE else early[a] + nodes[a, SERVICE]
    here = cgs[k, HOME] if a == NONE else nodes[a, PLACE]
    t = earliest(ws, we, nodes[v, NWIN], v, leave + tr[m, here, nodes[v, PLACE]])
    if t == NONE:
        return False
    t += nodes[v, SERVICE]
    if b == NONE:
        return t + tr[m, nodes[v, PLACE], cgs[k, END]] <= cgs[k, SHIFT_END]
    return t + tr[m, nodes[v, PLACE], nodes[b, PLACE]] <= late[b]


@njit(cache=True, inline="always")
def _insert(nodes, cgs, ws, we, tr, cost, allowed, cpen, vcost, state, v, blink):
    """Put node v where it adds least cost in ``state``; the route it went to, NONE when
    no place fits."""
    route, rlen, where, pos, early, late = state
    best = np.int64(1) << 62
    best_k = NONE
    best_p = NONE
    pv = nodes[v, PLACE]
    last = we[v, nodes[v, NWIN] - 1]
    first = ws[v, 0] + nodes[v, SERVICE]
    for k in range(cgs.shape[0]):
        if not allowed[v, k]:
            continue
        c = cost[cgs[k, COST]]
        n = rlen[k]
        # Of the three arcs' continuity penalties (see `arc`) only v's own stays.
        extra = vcost if n == 0 else 0
        if nodes[v, PREF] != NONE and nodes[v, PREF] != k:
            extra += cpen
        pa = cgs[k, HOME]
        for p in range(n + 1):
            # Earliest and latest starts only grow along a route: once v would start after
            # its last window closes it fits nowhere later, and while it would end before
            # the next node's latest start allows nothing earlier, it does not fit yet.
            if p > 0 and early[route[k, p - 1]] > last:
                break
            if p < n and late[route[k, p]] < first:
                pa = nodes[route[k, p], PLACE]
                continue
            pb = cgs[k, END] if p == n else nodes[route[k, p], PLACE]
            delta = c[pa, pv] + c[pv, pb] - c[pa, pb] + extra
            pa = pb
            # A blink skips a place at random; only a place that would win needs the draw.
            if delta >= best or (blink > 0.0 and np.random.random() < blink):
                continue
            a = route[k, p - 1] if p > 0 else NONE
            b = route[k, p] if p < n else NONE
            if _on_time(nodes, cgs, ws, we, tr, early, late, k, a, b, v) and (
                cgs[k, MAX_WORK] < 0 or span_ok(nodes, cgs, ws, we, tr, route, rlen, k, v, p)
            ):
                best, best_k, best_p = delta, k, p
    if best_k == NONE:
        return NONE
    k = best_k
    for i in range(rlen[k], best_p, -1):
        route[k, i] = route[k, i - 1]
    route[k, best_p] = v
    rlen[k] += 1
    retime(nodes, cgs, ws, we, tr, route, rlen, where, pos, early, late, k)
    return k


@njit(cache=True)
def _remove(route, rlen, where, pos, u):
    k = where[u]
    for i in range(pos[u], rlen[k] - 1):
        route[k, i] = route[k, i + 1]
        pos[route[k, i]] = i
    rlen[k] -= 1
    where[u] = NONE
    pos[u] = NONE


@njit(cache=True)
def _ruin(nodes, route, rlen, where, pos, adj, avg_removed, max_string):
    """SISR: strings of nearby routes around a random seed node; returns which routes it
    cut. Held nodes (a pair's copies) stay where they are."""
    n_nodes = nodes.shape[0]
    served = 0
    used = 0
    for k in range(rlen.shape[0]):
        if rlen[k]:
            served += rlen[k]
            used += 1
    ruined = np.zeros(rlen.shape[0], dtype=np.bool_)
    if served == 0:
        return ruined
    ls_max = min(float(max_string), served / used)
    ks_max = 4.0 * avg_removed / (1.0 + ls_max) - 1.0
    ks = int(np.random.random() * ks_max) + 1
    seed = NONE
    while seed == NONE:
        u = np.random.randint(n_nodes)
        if where[u] != NONE:
            seed = u
    n_ruined = 0
    for j in range(adj.shape[1]):
        if n_ruined >= ks:
            break
        c = adj[seed, j]
        k = where[c]
        if k == NONE or ruined[k]:
            continue
        size = rlen[k]
        lt = int(np.random.random() * min(ls_max, float(size))) + 1
        if np.random.random() < 0.5 or lt == size:
            keep = 0
        else:
            # A split string: m of the string's nodes stay, in the middle.
            keep = 1
            while keep < size - lt and np.random.random() > 0.01:
                keep += 1
            keep = min(keep, size - lt)
        total = lt + keep
        first = max(0, min(pos[c] - int(np.random.random() * total), size - total))
        stay_from = first + int(np.random.random() * (lt + 1)) if keep else first + total
        victims = np.empty(total, dtype=np.int64)
        for i in range(total):
            victims[i] = route[k, first + i]
        for i in range(total):
            if keep and stay_from <= first + i < stay_from + keep:
                continue
            u = victims[i]
            if nodes[u, FIXED]:
                continue
            _remove(route, rlen, where, pos, u)
        ruined[k] = True
        n_ruined += 1
    return ruined


@njit(cache=True)
def _order(removed, count, key_tight, key_far):
    """The recreate's order: at random, tightest windows first, farthest or closest first
    (weights 4, 4, 2, 1)."""
    todo = removed[:count].copy()
    r = np.random.random() * 11.0
    if r < 4.0:
        np.random.shuffle(todo)
        return todo
    keys = np.empty(count, dtype=np.float64)
    for i in range(count):
        u = todo[i]
        if r < 8.0:
            keys[i] = key_tight[u]
        elif r < 10.0:
            keys[i] = -key_far[u]
        else:
            keys[i] = key_far[u]
        keys[i] += np.random.random() * 1e-3
    return todo[np.argsort(keys)]


@njit(cache=True)
def _clone(s):
    return (
        s[0].copy(),
        s[1].copy(),
        s[2].copy(),
        s[3].copy(),
        s[4].copy(),
        s[5].copy(),
    )


@njit(cache=True)
def _copy(dst, src):
    # A heterogeneous tuple takes constant indices only.
    dst[0][:] = src[0]
    dst[1][:] = src[1]
    dst[2][:] = src[2]
    dst[3][:] = src[3]
    dst[4][:] = src[4]
    dst[5][:] = src[5]


@njit(cache=True)
def objective(nodes, cgs, cost, cpen, vcost, state):
    """The objective: arc costs, used caregivers, penalties of the nodes left out."""
    route, rlen, where = state[0], state[1], state[2]
    total = np.int64(0)
    for k in range(rlen.shape[0]):
        total += route_cost(nodes, cgs, cost, cpen, vcost, route, rlen, k)
    for u in range(nodes.shape[0]):
        if where[u] == NONE:
            total += nodes[u, PENALTY]
    return total


@njit(cache=True)
def _restore(dst, src, touched):
    """Make ``dst`` equal ``src`` where they can differ: the routes in ``touched`` and the
    nodes either has on them. Copying whole states took a tenth of each iteration."""
    for k in range(touched.shape[0]):
        if not touched[k]:
            continue
        for i in range(dst[1][k]):
            u = dst[0][k, i]
            dst[2][u], dst[3][u], dst[4][u], dst[5][u] = src[2][u], src[3][u], src[4][u], src[5][u]
        for i in range(src[1][k]):
            u = src[0][k, i]
            dst[0][k, i] = u
            dst[2][u], dst[3][u], dst[4][u], dst[5][u] = src[2][u], src[3][u], src[4][u], src[5][u]
        dst[1][k] = src[1][k]


@njit(cache=True)
def _change(nodes, cgs, cost, cpen, vcost, cur, trial, touched, removed, count):
    """``trial``'s objective less ``cur``'s: they differ only on the routes in ``touched``
    and in which of the ``removed`` nodes are left out."""
    delta = np.int64(0)
    for k in range(touched.shape[0]):
        if touched[k]:
            delta += route_cost(nodes, cgs, cost, cpen, vcost, trial[0], trial[1], k)
            delta -= route_cost(nodes, cgs, cost, cpen, vcost, cur[0], cur[1], k)
    for i in range(count):
        u = removed[i]
        if trial[2][u] == NONE:
            delta += nodes[u, PENALTY]
        if cur[2][u] == NONE:
            delta -= nodes[u, PENALTY]
    return delta


@njit(cache=True)
def _rebuild(
    nodes, cgs, ws, we, tr, cost, allowed, adj, keys, cpen, vcost, trial, removed, touched, settings
):
    """One ruin and recreate of ``trial`` in place, marking the routes it changed in
    ``touched``; how many nodes it took out (``removed``), or NONE when the ruin left a route
    that cannot be timed (leaving a node out can make a route later where travel breaks the
    triangle inequality)."""
    route, rlen, where, pos, early, late = trial
    avg_removed, max_string, blink = settings
    touched[:] = _ruin(nodes, route, rlen, where, pos, adj, avg_removed, int(max_string))
    for k in range(rlen.shape[0]):
        if touched[k] and not retime(
            nodes, cgs, ws, we, tr, route, rlen, where, pos, early, late, k
        ):
            return NONE
    count = 0
    for u in range(nodes.shape[0]):
        if where[u] == NONE and not nodes[u, FIXED]:
            removed[count] = u
            count += 1
    for u in _order(removed, count, keys[0], keys[1]):
        k = _insert(nodes, cgs, ws, we, tr, cost, allowed, cpen, vcost, trial, u, blink)
        if k != NONE:
            touched[k] = True
    return count


@njit(cache=True)
def search(
    nodes,
    cgs,
    ws,
    we,
    tr,
    cost,
    allowed,
    adj,
    keys,
    cpen,
    vcost,
    cur,
    best,
    value,
    iterations,
    temps,
    settings,
):
    """``iterations`` ruins and recreates from ``cur`` (a `State`), accepted by simulated
    annealing as it cools from ``temps[0]`` to ``temps[1]``; ``best`` keeps the cheapest
    seen; ``value``: their objectives, returned updated. ``settings``: mean removed nodes,
    longest string, blink rate."""
    removed, touched = np.empty(nodes.shape[0], np.int64), np.zeros(cur[1].shape[0], np.bool_)
    trial = _clone(cur)
    ratio = (temps[1] / temps[0]) ** (1.0 / max(iterations, 1))
    temp = temps[0]
    now, low = value[0], value[1]
    for _ in range(iterations):
        count = _rebuild(
            nodes,
            cgs,
            ws,
            we,
            tr,
            cost,
            allowed,
            adj,
            keys,
            cpen,
            vcost,
            trial,
            removed,
            touched,
            settings,
        )
        accept, new = False, now
        if count != NONE:
            new = now + _change(nodes, cgs, cost, cpen, vcost, cur, trial, touched, removed, count)
            accept = new < now - temp * np.log(np.random.random())
        temp *= ratio
        if accept:
            _restore(cur, trial, touched)
            now = new
            if new < low:
                _copy(best, trial)
                low = new
        else:
            _restore(trial, cur, touched)
    return now, low


@njit(cache=True)
def seed_rng(seed):
    np.random.seed(seed)
