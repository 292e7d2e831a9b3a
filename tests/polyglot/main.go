// Command polyglot reads products from the shop's product service the way any
// non-Python app would: with the Go stubs of protos/, through its own Dapr
// sidecar, which proxies the call to the app id named in `dapr-app-id`.
//
//	polyglot -sidecar 127.0.0.1:50001 -id <product id>   # GetProduct
//	polyglot -sidecar 127.0.0.1:50001 -category kitchen  # ListProducts
//
// The answer is printed as protobuf JSON on stdout. The sidecar's API token,
// if it wants one, is read from DAPR_API_TOKEN.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	productv1 "daprshop/protos/gen/go/product/v1"
)

func main() {
	sidecar := flag.String("sidecar", "127.0.0.1:50001", "own daprd's gRPC address")
	appID := flag.String("app-id", "product", "app id of the product service")
	id := flag.String("id", "", "product id (GetProduct); empty: ListProducts")
	category := flag.String("category", "", "category filter for ListProducts")
	timeout := flag.Duration("timeout", 10*time.Second, "deadline of the call")
	flag.Parse()

	answer, err := call(*sidecar, *appID, *id, *category, *timeout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "polyglot:", err)
		os.Exit(1)
	}
	out, err := protojson.Marshal(answer)
	if err != nil {
		fmt.Fprintln(os.Stderr, "polyglot:", err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}

func call(sidecar, appID, id, category string, timeout time.Duration) (proto.Message, error) {
	conn, err := grpc.NewClient(sidecar, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	defer conn.Close()

	md := metadata.Pairs("dapr-app-id", appID)
	if token := os.Getenv("DAPR_API_TOKEN"); token != "" {
		md.Append("dapr-api-token", token)
	}
	ctx, cancel := context.WithTimeout(metadata.NewOutgoingContext(context.Background(), md), timeout)
	defer cancel()

	products := productv1.NewProductServiceClient(conn)
	if id != "" {
		return products.GetProduct(ctx, &productv1.GetProductRequest{Id: id})
	}
	return products.ListProducts(ctx, &productv1.ListProductsRequest{PageSize: 20, Category: category})
}
