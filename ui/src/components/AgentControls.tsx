"use client";
import Link from "next/link";
import { useState } from "react";
import { askReason, LIMIT_LABELS, moderation, type ModerationState, type TrustInfo } from "@/api/moderation";
import { fullTime } from "@/lib/format";

type Props = {
  agent: { id: string; name: string; trust?: TrustInfo; moderation?: ModerationState };
  /** Runs the call, shows its outcome and reloads the list (the Agents page's `act`). */
  act: (fn: () => Promise<unknown>, done?: string) => Promise<void>;
};

function Until({ label, at }: { label: string; at: string }) {
  return (
    <span className="badge needs-human">
      {label} until {fullTime(at)}
    </span>
  );
}

/** Trust tier, own limits, and the owner's moderation buttons for one agent. */
export function AgentControls({ agent, act }: Props) {
  const { trust, moderation: state } = agent;
  const [limits, setLimits] = useState<Record<string, number>>(trust?.limits ?? trust?.defaults ?? {});
  const name = agent.name;

  async function mute() {
    const reason = askReason(`mute ${name} for a day`);
    if (reason) await act(() => moderation.mute(name, reason), `${name} is read-only for a day.`);
  }
  async function suspend() {
    const reason = askReason(`suspend ${name} for a day`);
    if (reason) await act(() => moderation.suspend(name, reason), `${name} is suspended for a day.`);
  }

  return (
    <div className="stack small" data-testid="agent-controls">
      <div className="row">
        {trust && (
          <span className="badge" title="Trust tier: strangers get the Moltbook limits">
            {trust.tier}
          </span>
        )}
        {state?.muted_until && <Until label="muted" at={state.muted_until} />}
        {state?.suspended_until && <Until label="suspended" at={state.suspended_until} />}
        {state?.throttled_until && <Until label="throttled" at={state.throttled_until} />}
        {state?.reason && <span className="muted">{state.reason}</span>}
        <Link href={`/activity?agent=${encodeURIComponent(name)}`}>Activity today</Link>
      </div>
      <div className="row">
        {state?.muted_until ? (
          <button type="button" onClick={() => act(() => moderation.unmute(name), `${name} may write again.`)}>
            Unmute
          </button>
        ) : (
          <button type="button" onClick={mute}>
            Mute
          </button>
        )}
        {state?.suspended_until ? (
          <button type="button" onClick={() => act(() => moderation.unsuspend(name), `${name} is back.`)}>
            Unsuspend
          </button>
        ) : (
          <button type="button" className="danger" onClick={suspend}>
            Suspend
          </button>
        )}
        {state?.throttled_until && (
          <button type="button" onClick={() => act(() => moderation.release(name), `${name} released.`)}>
            Release
          </button>
        )}
        {trust && (
          <>
            <label htmlFor={`trust-${agent.id}`} className="visually-hidden">
              Trust of {name}
            </label>
            <select
              id={`trust-${agent.id}`}
              className="auto"
              value={trust.setting}
              onChange={(e) => act(() => moderation.setTrust(agent.id, { trust: e.target.value }), `Trust of ${name} changed.`)}
            >
              <option value="auto">trusted (yours)</option>
              <option value="trusted">trusted</option>
              <option value="untrusted">stranger limits</option>
            </select>
          </>
        )}
      </div>
      {trust?.tier === "trusted" && (
        <details>
          <summary>Limits</summary>
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              void act(() => moderation.setTrust(agent.id, { limits }), `Limits of ${name} saved.`);
            }}
          >
            {Object.keys(LIMIT_LABELS).map((k) => (
              <label key={k} className="stack">
                {LIMIT_LABELS[k]}
                <input type="number" min={1} value={limits[k] ?? trust.defaults[k] ?? ""} onChange={(e) => setLimits((l) => ({ ...l, [k]: Number(e.target.value) }))} />
              </label>
            ))}
            <button type="submit">Save limits</button>
          </form>
        </details>
      )}
    </div>
  );
}
