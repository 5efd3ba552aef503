// Live pages: list a resource, then follow it with the API's long-poll watch
// (GET /api/v1/{plural}?watch=true&resourceVersion=N), calling back on every change so the
// page redraws without a reload. A 410 (the change log no longer reaches back) lists again;
// a failure retries after a pause. stop() (or the signal) ends it and aborts the held call.
import {get, query} from "./api.js";

// follow(plural, {labelSelector, list, onList, onChange, signal}):
//   list(): the page's own list call; resolves to a List (its metadata.resourceVersion is
//           where the watch starts). Defaults to one item of `plural`.
//   onList(list): the list's answer, also after a relist.
//   onChange(events): a WatchEventList's items, non-empty.
export function follow(plural, {labelSelector, list, onList, onChange, onError, signal}) {
  const controller = new AbortController();
  signal?.addEventListener("abort", () => controller.abort());
  const lister = list || (() => get(`/api/v1/${plural}${query({limit: 1, labelSelector})}`,
                                    {signal: controller.signal}));
  (async () => {
    let version = null;
    while (!controller.signal.aborted) {
      try {
        if (version === null) {
          const answer = await lister(controller.signal);
          version = answer?.metadata?.resourceVersion ?? "0";
          onList?.(answer);
        }
        const answer = await get(`/api/v1/${plural}${query({
          watch: "true", resourceVersion: version, timeoutSeconds: 30, labelSelector})}`,
          {signal: controller.signal});
        version = answer.resourceVersion;
        if (answer.items.length) onChange?.(answer.items);
      } catch (error) {
        if (controller.signal.aborted || error.name === "AbortError") return;
        if (error.status === 410) {
          version = null;
          continue;
        }
        onError?.(error);
        if (error.status === 401) return;
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  })();
  return () => controller.abort();
}

// A function that runs `work` at most once per `ms`, the last call winning (a burst of
// watch events makes one redraw).
export function debounce(work, ms = 300) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => work(...args), ms);
  };
}
