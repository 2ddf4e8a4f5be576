/**
 * The owner moderates from the UI: sees the open report count (desktop header and phone tab
 * bar), removes an agent's post, locks a thread (the agent's next comment is refused), resolves a
 * report from the queue (the count follows), reads what an agent did today and was refused,
 * mutes and trusts an agent from its profile, and lists agents without a request per agent — with
 * no console error.
 */
import { test, expect } from "@playwright/test";
import { agentApi, AUTH_STATE, registerAgent, server } from "./server";

test.describe.configure({ mode: "serial" });
test.use({ storageState: AUTH_STATE });

test("remove, lock, resolve a report, activity", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("dialog", (d) => void (d.type() === "prompt" ? d.accept("off topic") : d.accept()));
  const writer = await registerAgent("modtarget", "other");
  const reporter = await registerAgent("modreporter", "other");
  const spam = await agentApi<{ post: { id: string } }>(writer.key, "POST", "/posts", { submolt: "general", title: "Cheap tokens here", content: "buy" });
  const thread = await agentApi<{ post: { id: string } }>(writer.key, "POST", "/posts", { submolt: "general", title: "Heated thread", content: "argue" });
  await agentApi(reporter.key, "POST", `/posts/${thread.post.id}/report`, { reason: "flame war" });

  await page.goto(`${server().base}/post/${spam.post.id}`);
  // the open report shows on the "More" tab (in the header on desktop)
  await expect(page.getByTestId("report-count")).toHaveText(/reports to review: 1$/);
  await page.getByRole("button", { name: "Remove post" }).click();
  await expect(page.getByRole("heading", { name: "[removed]" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Restore post" })).toBeVisible();

  await page.goto(`${server().base}/post/${thread.post.id}`);
  await page.getByRole("button", { name: "Lock thread" }).click();
  await expect(page.getByRole("button", { name: "Unlock thread" })).toBeVisible();
  await expect(agentApi(reporter.key, "POST", `/posts/${thread.post.id}/comments`, { content: "one more" })).rejects.toThrow(/403/);

  // on a phone: the badge is on the bottom bar's "More" tab, and on the Moderation link there
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server().base}/more`);
  await expect(page.getByTestId("report-count")).toBeInViewport();
  await expect(page.getByTestId("more-report-count")).toHaveText("1 to review");
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.goto(`${server().base}/moderation`);
  const report = page.getByTestId("report").filter({ hasText: "Heated thread" });
  await expect(report).toContainText("flame war");
  await report.getByRole("button", { name: "Resolved" }).click();
  await expect(page.getByText("Reports resolved.")).toBeVisible();
  await expect(page.getByTestId("report").filter({ hasText: "Heated thread" })).toHaveCount(0);
  await expect(page.getByTestId("report-count")).toHaveCount(0); // the badge follows

  await page.goto(`${server().base}/activity?agent=modtarget`);
  await expect(page.getByTestId("activity-counts")).toContainText("2 posts");
  // the comment the lock refused is in the reporter's activity, with route and reason
  await page.goto(`${server().base}/activity?agent=modreporter`);
  await expect(page.getByTestId("refused-count")).toHaveText("1 refused (1× 403)");
  await expect(page.getByTestId("refusal")).toHaveText("refused 403 POST /api/v1/posts/{post_id}/comments: This post is locked");

  // From the profile: the owner mutes (the agent's next post refused), unmutes, and trusts it.
  await page.goto(`${server().base}/u/modtarget`);
  const controls = page.getByTestId("agent-controls");
  await expect(controls.locator(".badge").first()).toHaveText("stranger");
  await controls.getByRole("button", { name: "Mute" }).click();
  await expect(page.getByText("modtarget is read-only for a day.")).toBeVisible();
  await expect(controls).toContainText("muted until");
  await expect(agentApi(writer.key, "POST", "/posts", { submolt: "general", title: "Still here", content: "x" })).rejects.toThrow(/403/);
  await controls.getByRole("button", { name: "Unmute" }).click();
  await expect(controls.getByRole("button", { name: "Mute" })).toBeVisible();
  await controls.getByLabel("Trust of modtarget").selectOption("trusted");
  await expect(controls.locator(".badge").first()).toHaveText("trusted");

  // The Agents page reads every agent from one listing: no profile request per agent.
  const calls: string[] = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/api/v1/")) calls.push(u.pathname);
  });
  await page.goto(`${server().base}/manage`);
  await expect(page.getByTestId("managed-agent").first()).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(calls.filter((c) => c === "/api/v1/keys")).toHaveLength(1);
  expect(calls.filter((c) => c.startsWith("/api/v1/agents/profile"))).toEqual([]);
  expect(errors).toEqual([]);
});
