//! Network waits run on a thread of their own, never on the JS thread and never on
//! the libuv pool (a slow server would otherwise hold pool threads that `fs` and
//! `crypto` need). The promise is settled through a napi deferred, whose
//! threadsafe function also keeps the event loop alive until it is settled.

use crate::error::{panic_error, to_napi};
use napi::Env;
use napi::bindgen_prelude::{Object, ToNapiValue};

type Resolver<T> = Box<dyn FnOnce(Env) -> napi::Result<T> + Send>;

/// Run `work` on a new thread; `convert` turns its result into a JS value on the JS
/// thread. A `plumlogs::Error` rejects with the structured payload of `error.rs`.
pub(crate) fn spawn_promise<'e, R, T>(
    env: &'e Env,
    work: impl FnOnce() -> Result<R, plumlogs::Error> + Send + 'static,
    convert: fn(R) -> T,
) -> napi::Result<Object<'e>>
where
    R: Send + 'static,
    T: ToNapiValue + 'static,
{
    let (deferred, promise) = env.create_deferred::<T, Resolver<T>>()?;
    std::thread::Builder::new()
        .name("plumlogs-io".into())
        .spawn(move || {
            // A panic must not take the thread down with the promise unsettled (nor
            // cross into JS): it rejects like any other error.
            let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
                .unwrap_or_else(|panic| Err(panic_error(&*panic)));
            match done {
                Ok(r) => deferred.resolve(Box::new(move |_env| Ok(convert(r)))),
                Err(e) => deferred.reject(to_napi(&e)),
            }
        })
        .map_err(|e| napi::Error::from_reason(format!("cannot start a thread: {e}")))?;
    Ok(promise)
}
