// A Go test compiled into components-contrib's Kafka package by
// tests/integration/test_daprd_patch.py (through `go test -overlay`): it fails
// on the unpatched module and passes with devmesh/bootstrap/daprd_patch.py.

package kafka

import (
	"context"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/dapr/components-contrib/common/component/kafka/mocks"
	"github.com/dapr/kit/logger"
)

// The app turns healthy again and daprd subscribes to the topic anew before
// the ending subscription's goroutine has removed its handler: the new
// subscription must keep its handler.
func TestResubscribeSurvivesLateUnsubscribe(t *testing.T) {
	cg := mocks.NewConsumerGroup().WithConsumeFn(
		func(ctx context.Context, _ []string, _ sarama.ConsumerGroupHandler) error {
			<-ctx.Done()
			return ctx.Err()
		})
	k := &Kafka{
		logger:               logger.NewLogger("test"),
		mockConsumerGroup:    cg,
		subscribeTopics:      make(TopicHandlerConfig),
		closeCh:              make(chan struct{}),
		consumeRetryInterval: time.Millisecond,
	}
	handler := SubscriptionHandlerConfig{
		Handler: func(context.Context, *NewEvent) error { return nil },
	}
	oldCtx, stopOld := context.WithCancel(context.Background())
	k.Subscribe(oldCtx, handler, "order-notification")
	newCtx, stopNew := context.WithCancel(context.Background())
	defer stopNew()
	k.Subscribe(newCtx, handler, "order-notification")
	stopOld()
	time.Sleep(200 * time.Millisecond)

	k.subscribeLock.Lock()
	_, kept := k.subscribeTopics["order-notification"]
	k.subscribeLock.Unlock()
	if !kept {
		t.Fatal("the ending subscription removed the new subscription's handler")
	}
}
