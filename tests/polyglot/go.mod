// A Go client of the shop's gRPC contracts, run by tests/integration/test_polyglot.py.
module daprshop/tests/polyglot

go 1.25.0

require (
	daprshop/protos/gen/go v0.0.0
	google.golang.org/grpc v1.81.0
	google.golang.org/protobuf v1.36.12
)

require (
	golang.org/x/net v0.51.0 // indirect
	golang.org/x/sys v0.42.0 // indirect
	golang.org/x/text v0.34.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260226221140-a57be14db171 // indirect
)

replace daprshop/protos/gen/go => ../../protos/gen/go
