/* run.c - see run.h */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/run.h"
#include "util/log.h"

/* Feeds `input` and drains the output with poll(), so neither side can block the other. */
static void pump(int in_fd, const char *input, int out_fd, char *out, size_t len)
{
	size_t in_left = input ? strlen(input) : 0, used = 0;
	char sink[4096];

	if (in_fd >= 0 && !in_left) {
		close(in_fd);
		in_fd = -1;
	}
	for (;;) {
		struct pollfd p[2] = { { out_fd, POLLIN, 0 }, { in_fd, POLLOUT, 0 } };
		ssize_t n;

		if (poll(p, in_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (in_fd >= 0 && (p[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			n = write(in_fd, input, in_left);
			if (n > 0) {
				input += n;
				in_left -= (size_t)n;
			}
			if (n <= 0 || !in_left) {
				close(in_fd);
				in_fd = -1;
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char *dst = out && used + 1 < len ? out + used : sink;
			size_t room = out && used + 1 < len ? len - 1 - used : sizeof(sink);

			n = read(out_fd, dst, room);
			if (n <= 0)
				break;
			if (dst != sink)
				used += (size_t)n;
		}
	}
	if (in_fd >= 0)
		close(in_fd);
	if (out && len)
		out[used] = '\0';
}

int run_argv(char *const argv[], const char *input, char *out, size_t len)
{
	int in_pipe[2] = { -1, -1 }, out_pipe[2];
	int status;
	pid_t pid;

	if (pipe2(out_pipe, O_CLOEXEC))
		return -errno;
	if (input && pipe2(in_pipe, O_CLOEXEC)) {
		close(out_pipe[0]);
		close(out_pipe[1]);
		return -errno;
	}
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		signal(SIGPIPE, SIG_DFL);
		dup2(input ? in_pipe[0] : devnull, 0);
		dup2(out_pipe[1], 1);
		dup2(out_pipe[1], 2);
		execvp(argv[0], argv);
		dprintf(2, "cannot run '%s': %s", argv[0], strerror(errno));
		_exit(127);
	}
	close(out_pipe[1]);
	if (input)
		close(in_pipe[0]);
	/* A closed stdin of the child must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	pump(input ? in_pipe[1] : -1, input, out_pipe[0], out, len);
	close(out_pipe[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status))
		return -EINTR;
	return WEXITSTATUS(status);
}

int run_ip_batch(const char *netns, const char *cmds, const char *what)
{
	char *argv[] = { "ip", "-n", (char *)netns, "-batch", "-", NULL };
	char out[2048];
	int r;

	if (!netns) {
		argv[1] = "-batch";
		argv[2] = "-";
		argv[3] = NULL;
	}
	r = run_argv(argv, cmds, out, sizeof(out));
	if (r == 0)
		return 0;
	out[strcspn(out, "\n")] = '\0';
	if (r < 0)
		return error_errno(r, "%s: cannot run ip", what);
	return error("%s: %s", what, *out ? out : "ip failed");
}
