// Owning handles for libnats objects: each a unique_ptr whose deleter is the matching
// *_Destroy call, so no path frees by hand. Internal to common_nats's .cpp files (this
// header pulls in <nats/nats.h>, which no public header may).
#pragma once

#include <nats/nats.h>

#include <memory>

namespace common::nats::detail {

template <class T, void (*Destroy)(T*)>
struct NatsDeleter {
  void operator()(T* p) const noexcept { Destroy(p); }
};

template <class T, void (*Destroy)(T*)>
using NatsHandle = std::unique_ptr<T, NatsDeleter<T, Destroy>>;

using OptionsHandle = NatsHandle<natsOptions, natsOptions_Destroy>;
using ConnectionHandle = NatsHandle<natsConnection, natsConnection_Destroy>;
using SubscriptionHandle = NatsHandle<natsSubscription, natsSubscription_Destroy>;
using MsgHandle = NatsHandle<natsMsg, natsMsg_Destroy>;
using JsCtxHandle = NatsHandle<jsCtx, jsCtx_Destroy>;
using StreamInfoHandle = NatsHandle<jsStreamInfo, jsStreamInfo_Destroy>;
using ConsumerInfoHandle = NatsHandle<jsConsumerInfo, jsConsumerInfo_Destroy>;
using ConsumerNamesHandle = NatsHandle<jsConsumerNamesList, jsConsumerNamesList_Destroy>;
using PubAckHandle = NatsHandle<jsPubAck, jsPubAck_Destroy>;
using MetaDataHandle = NatsHandle<jsMsgMetaData, jsMsgMetaData_Destroy>;

}  // namespace common::nats::detail
