// bench/grpc_ref.cc -- the reference server of bench/grpc.sh: gRPC C++
// (Debian's libgrpc++) serving meshwalk.v1.Walk/Run from docs/meshwalk.proto
// with zero work: every call is answered at once with an empty RunReply, as a
// node answers an empty program. It uses the callback API, the one gRPC C++
// recommends for new servers, on its default thread pool.
//
//   grpc_ref PORT_FILE      listens on 127.0.0.1 (a kernel-chosen port, written
//                           to PORT_FILE) until killed
#include <cstdio>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "meshwalk.grpc.pb.h"

namespace {

class ZeroWorkWalk final : public meshwalk::v1::Walk::CallbackService {
	grpc::ServerUnaryReactor *Run(grpc::CallbackServerContext *ctx, const meshwalk::v1::RunRequest *,
				      meshwalk::v1::RunReply *) override
	{
		grpc::ServerUnaryReactor *reactor = ctx->DefaultReactor();
		reactor->Finish(grpc::Status::OK);
		return reactor;
	}
};

} // namespace

int main(int argc, char **argv)
{
	if (argc != 2) {
		std::fprintf(stderr, "usage: grpc_ref PORT_FILE\n");
		return 2;
	}
	ZeroWorkWalk service;
	grpc::ServerBuilder builder;
	int port = 0;
	builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
	builder.RegisterService(&service);
	std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
	if (!server || port == 0) {
		std::fprintf(stderr, "grpc_ref: cannot listen\n");
		return 1;
	}
	std::string tmp = std::string(argv[1]) + ".tmp";
	FILE *f = std::fopen(tmp.c_str(), "w");
	if (f == nullptr || std::fprintf(f, "%d\n", port) < 0 || std::fclose(f) != 0 ||
	    std::rename(tmp.c_str(), argv[1]) != 0) {
		std::fprintf(stderr, "grpc_ref: cannot write %s\n", argv[1]);
		return 1;
	}
	server->Wait();
	return 0;
}
