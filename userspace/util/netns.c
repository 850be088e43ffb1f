/* netns.c - see netns.h */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/netns.h"

int netns_link_up(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int fd, r = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		r = -errno;
	else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			r = -errno;
	}
	close(fd);
	return r;
}

int netns_run_private(int (*fn)(void *arg), void *arg)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) || netns_link_up("lo"))
			_exit(125);
		_exit(fn(arg) & 0xff);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status))
		return -ECHILD;
	return WEXITSTATUS(status) == 125 ? -EPERM : WEXITSTATUS(status);
}

struct in_netns {
	const char *path;
	int (*fn)(void *arg);
	void *arg;
	int result;
};

static void *in_netns_thread(void *arg)
{
	struct in_netns *j = arg;
	int fd = open(j->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		j->result = -errno;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	j->result = j->fn(j->arg);
	return NULL;
}

int netns_run_thread(const char *path, int (*fn)(void *arg), void *arg)
{
	struct in_netns j = { path, fn, arg, 0 };
	pthread_t t;
	int r = pthread_create(&t, NULL, in_netns_thread, &j);

	if (r)
		return -r;
	pthread_join(t, NULL);
	return j.result;
}
