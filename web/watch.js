// Live pages: list a resource, then follow it with the API's watch stream
// (GET /api/v1/{plural}?watch=true&resourceVersion=N, one event per line), calling back on
// every change as it arrives so the page redraws without a reload. A stream the server ends
// is opened again from the last revision seen; a 410 or a GONE error event (the change log
// no longer reaches back) lists again; a failure retries after a pause. stop() (or the
// signal) ends it and aborts the stream.
import {ApiError, get, query, stream} from "./api.js";

// follow(plural, {labelSelector, list, onList, onChange, signal}):
//   list(): the page's own list call; resolves to a List (its metadata.resourceVersion is
//           where the watch starts). Defaults to one item of `plural`.
//   onList(list): the list's answer, also after a relist.
//   onChange(events): the change events that arrived (ADDED, MODIFIED, DELETED), non-empty.
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
        await stream(`/api/v1/${plural}${query({
          watch: "true", resourceVersion: version, labelSelector})}`, {
          signal: controller.signal,
          onLine: (event) => {
            if (event.type === "ERROR") {
              const error = event.object?.error || {};
              throw new ApiError(error.code === "GONE" ? 410 : 500, error.code, error.message);
            }
            version = event.object?.metadata?.resourceVersion ?? version;
            if (event.type !== "BOOKMARK") onChange?.([event]);
          },
        });
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
